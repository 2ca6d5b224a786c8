/**
 * What the end-to-end tests and the screenshot script share: build the
 * renderer, start `recon serve` as its own process on a temp workspace, and
 * launch Debian's Chromium through playwright-core (never a downloaded one).
 *
 * No call may take a host down: every `recon serve` started here is watched.
 * A host that exits before stop(), or logs an error that escaped its handlers
 * (an unhandled rejection or uncaught exception, which the host survives and
 * logs, engine/host/process-guard.ts), fails the test: under vitest a hook
 * checks every live host after each test (and after each file).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { HOST_ESCAPE_PREFIX } from '../engine/host/process-guard.ts';
import type { DefinitionInput } from '../engine/definition/schema.ts';
import { openStore } from '../engine/store/open.ts';
import { getDefinition } from '../engine/workflow/definitions.ts';

export const ROOT = resolve(import.meta.dirname, '..');
export const CHROMIUM = process.env['RECON_CHROMIUM'] ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** `npx electron-vite build` (about 5 s); RECON_E2E_NO_BUILD=1 reuses out/renderer. */
export function buildRenderer(): void {
  if (process.env['RECON_E2E_NO_BUILD'] === '1' && existsSync(join(ROOT, 'out/renderer/index.html'))) return;
  const r = spawnSync(process.execPath, [join(ROOT, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`electron-vite build failed:\n${r.stdout}\n${r.stderr}`);
}

export interface Served {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
  /** What went wrong with the host so far: it died, or logged an escaped error. Empty while healthy. */
  problems(): string[];
}

/** What in a host's stderr means an error escaped: the host's own guard line, or Node's report before it dies of one. */
const ESCAPED = new RegExp(`${HOST_ESCAPE_PREFIX.replace(/[[\]]/g, '\\$&')}|UnhandledPromiseRejection|triggerUncaughtException|Uncaught (Error|TypeError|RangeError)`);

/** Hosts started and not yet stopped. */
const live = new Set<Served>();

/** Throws when any host started here died or logged an escaped error (then forgets those problems). */
export function assertHostsHealthy(): void {
  const all = [...live].flatMap((s) => s.problems().splice(0));
  if (all.length > 0) throw new Error(`a host went wrong (no call may take a host down):\n${all.join('\n')}`);
}

// Under vitest, every test and every file ends with that check.
if (process.env['VITEST']) {
  const { afterEach, afterAll } = await import('vitest');
  afterEach(() => assertHostsHealthy());
  afterAll(() => assertHostsHealthy());
}

/**
 * Starts `recon serve` (scripts/serve.ts) on a workspace; resolves with the URL
 * it prints. `env` adds variables, e.g. RECON_USER for who acts: several
 * processes, one per user, may serve the same workspace.
 */
export function serve(workspace: string, env: Record<string, string> = {}, opts: { args?: string[]; cwd?: string } = {}): Promise<Served> {
  // tsx by its resolved URL: the host may run in another working folder (opts.cwd), where 'tsx' would not resolve.
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), join(ROOT, 'scripts/serve.ts'), '--workspace', workspace, ...(opts.args ?? [])], {
    cwd: opts.cwd ?? ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let out = '';
  let err = '';
  let stopping = false;
  const problems: string[] = [];
  child.stderr.on('data', (d: Buffer) => {
    const text = d.toString();
    err += text;
    if (ESCAPED.test(text)) problems.push(`recon serve (${workspace}) logged an escaped error:\n${text.slice(0, 4000)}`);
  });
  let served: Served | undefined;
  const stop = (): Promise<void> =>
    new Promise((r) => {
      stopping = true;
      if (served) live.delete(served);
      if (child.exitCode !== null || child.signalCode !== null) return r();
      child.once('exit', () => r());
      child.kill('SIGINT');
    });
  return new Promise((resolvePromise, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const url = /http:\/\/127\.0\.0\.1:\d+\/#token=[0-9a-f]+/.exec(out)?.[0];
      if (url && !served) {
        served = { url, child, stop, problems: () => problems };
        live.add(served);
        resolvePromise(served);
      }
    });
    child.once('exit', (code, signal) => {
      if (!served) return reject(new Error(`recon serve exited with ${code}:\n${out}\n${err}`));
      if (!stopping) problems.push(`recon serve (${workspace}) died while serving (exit ${code ?? signal}):\n${err.slice(-4000)}`);
    });
  });
}

/** Debian's Chromium, headless; a clear message when the machine has none. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run "bash scripts/setup-system.sh" (installs Debian's chromium)`);
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/** Console errors and uncaught exceptions of a page (CSP violations show up here). */
export function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  return errors;
}

/** One workstation in a browser: `recon serve` on a workspace, Chromium, a page opened at its URL, its console errors. */
export interface Workstation {
  served: Served;
  browser: Browser;
  page: Page;
  errors: string[];
  close(): Promise<void>;
}

/** Builds the renderer, serves `workspace` and opens it in a fresh headless Chromium (1440×900). */
export async function openWorkstation(workspace: string, env: Record<string, string> = {}): Promise<Workstation> {
  buildRenderer();
  const served = await serve(workspace, env);
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  const errors = collectPageErrors(page);
  await page.goto(served.url);
  return {
    served,
    browser,
    page,
    errors,
    async close() {
      await browser.close();
      await served.stop();
    },
  };
}

/** The latest saved version of a definition in a workspace's store (where the new-run screen saves), as the host stored it. */
export function savedDefinition(workspace: string, name: string): DefinitionInput {
  const store = openStore(workspace);
  try {
    return getDefinition(store, name).definition;
  } finally {
    store.close();
  }
}

