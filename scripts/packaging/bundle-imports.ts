/**
 * What the built main-process bundle (out/main) loads at run time, read from
 * the bundle itself rather than kept as a hand-written list: static and
 * dynamic imports, require() and createRequire(...)() calls, and the files it
 * opens through `new URL('<literal>', import.meta.url)`.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseAst } from 'vite';

/** One chunk's run-time references. */
export interface ChunkRefs {
  /** Module specifiers: packages, builtins, relative chunk paths. */
  specifiers: string[];
  /** `new URL('<literal>', import.meta.url)` targets. */
  urls: string[];
  /** The `bundled` file names of WorkerEntry objects (`{ source, bundled }`, engine/worker/client.ts). */
  workers: string[];
  /** Loads whose target is computed at run time, so no check can see it. */
  dynamic: string[];
}

/** Every chunk of out/main by file name. */
export type BundleRefs = Map<string, ChunkRefs>;

type Node = { type: string; [key: string]: unknown };

function isNode(v: unknown): v is Node {
  return typeof v === 'object' && v !== null && typeof (v as { type?: unknown }).type === 'string';
}

function walk(node: unknown, visit: (n: Node) => void): void {
  if (Array.isArray(node)) {
    for (const child of node) walk(child, visit);
    return;
  }
  if (!isNode(node)) return;
  visit(node);
  for (const [key, value] of Object.entries(node)) {
    if (key !== 'type' && typeof value === 'object' && value !== null) walk(value, visit);
  }
}

function literal(n: unknown): string | null {
  return isNode(n) && n.type === 'Literal' && typeof n['value'] === 'string' ? n['value'] : null;
}

function isImportMetaUrl(n: unknown): boolean {
  if (!isNode(n) || n.type !== 'MemberExpression') return false;
  const obj = n['object'];
  const prop = n['property'];
  return isNode(obj) && obj.type === 'MetaProperty' && isNode(prop) && prop['name'] === 'url';
}

function calleeName(n: unknown): string | null {
  return isNode(n) && n.type === 'Identifier' && typeof n['name'] === 'string' ? n['name'] : null;
}

/** The run-time references of one ES module's source. */
export function chunkRefs(code: string, file = 'chunk.js'): ChunkRefs {
  const program = parseAst(code, { sourceType: 'module' }, file);
  const specifiers: string[] = [];
  const urls: string[] = [];
  const workers: string[] = [];
  const dynamic: string[] = [];
  // Names bound to createRequire(...) results, e.g. rolldown's __require.
  const requireNames = new Set(['require']);
  walk(program, (n) => {
    if (n.type === 'VariableDeclarator' && isNode(n['init']) && n['init'].type === 'CallExpression' && calleeName(n['init']['callee']) === 'createRequire') {
      const name = calleeName(n['id']);
      if (name) requireNames.add(name);
    }
  });
  walk(program, (n) => {
    switch (n.type) {
      case 'ImportDeclaration':
      case 'ExportAllDeclaration':
      case 'ExportNamedDeclaration': {
        const s = literal(n['source']);
        if (s !== null) specifiers.push(s);
        break;
      }
      case 'ImportExpression': {
        const s = literal(n['source']);
        if (s !== null) specifiers.push(s);
        else dynamic.push(`import(<expression>) at offset ${String(n['start'])}`);
        break;
      }
      case 'CallExpression': {
        const callee = n['callee'];
        const args = n['arguments'] as unknown[];
        const viaRequire = requireNames.has(calleeName(callee) ?? '');
        const viaCreateRequire = isNode(callee) && callee.type === 'CallExpression' && calleeName(callee['callee']) === 'createRequire';
        if (viaRequire || viaCreateRequire) {
          const s = literal(args[0]);
          if (s !== null) specifiers.push(s);
          else dynamic.push(`require(<expression>) at offset ${String(n['start'])}`);
        }
        break;
      }
      case 'ObjectExpression': {
        const props = new Map<string, string | null>();
        for (const p of n['properties'] as unknown[]) {
          if (isNode(p) && p.type === 'Property' && isNode(p['key'])) props.set(String(p['key']['name'] ?? p['key']['value']), literal(p['value']));
        }
        const bundled = props.get('bundled');
        if (props.has('source') && typeof bundled === 'string') workers.push(bundled);
        break;
      }
      case 'NewExpression': {
        const args = n['arguments'] as unknown[];
        if (calleeName(n['callee']) === 'URL' && isImportMetaUrl(args[1])) {
          const s = literal(args[0]);
          if (s !== null) urls.push(s);
          else dynamic.push(`new URL(<expression>, import.meta.url) at offset ${String(n['start'])}`);
        }
        break;
      }
    }
  });
  return { specifiers, urls, workers, dynamic };
}

/** The references of every .js chunk in a bundle folder (out/main). */
export function bundleRefs(dir: string): BundleRefs {
  const refs: BundleRefs = new Map();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.js')).sort()) {
    refs.set(file, chunkRefs(readFileSync(join(dir, file), 'utf8'), file));
  }
  return refs;
}

const BUILTINS = new Set(builtinModules);

export function isBuiltin(spec: string): boolean {
  return spec.startsWith('node:') || BUILTINS.has(spec.split('/')[0]!);
}

export function isRelative(spec: string): boolean {
  return spec.startsWith('./') || spec.startsWith('../') || spec.startsWith('/');
}

/** 'exceljs/lib/x.js' → 'exceljs', '@duckdb/node-api' → '@duckdb/node-api'. */
export function packageName(spec: string): string {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

/** Packages (with the specifiers used) a set of chunks loads, `electron` included. */
export function packagesOf(refs: BundleRefs, chunks: Iterable<string> = refs.keys()): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const chunk of chunks) {
    for (const spec of refs.get(chunk)?.specifiers ?? []) {
      if (isBuiltin(spec) || isRelative(spec)) continue;
      const name = packageName(spec);
      if (!out.has(name)) out.set(name, new Set());
      out.get(name)!.add(spec);
    }
  }
  return out;
}

/** The chunks an entry loads, itself included (relative imports only: the bundle is flat). */
export function reachableChunks(refs: BundleRefs, entry: string): Set<string> {
  const seen = new Set<string>();
  const stack = [entry];
  while (stack.length > 0) {
    const chunk = stack.pop()!;
    if (seen.has(chunk) || !refs.has(chunk)) continue;
    seen.add(chunk);
    for (const spec of refs.get(chunk)!.specifiers) if (spec.startsWith('./')) stack.push(spec.slice(2));
  }
  return seen;
}

interface PackageJson {
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

/**
 * Every package the bundle loads must be a production dependency (electron-builder
 * packs those only); `electron` is the runtime itself and must stay a devDependency;
 * the worker thread cannot use Electron's modules at all.
 */
export function checkDeclaredDependencies(refs: BundleRefs, pkg: PackageJson, workerEntry = 'engine-worker.js'): string[] {
  const problems: string[] = [];
  const deps = pkg.dependencies ?? {};
  for (const [name, specs] of packagesOf(refs)) {
    if (name === 'electron') {
      if (deps['electron'] !== undefined) problems.push('electron must be a devDependency (electron-builder refuses it in dependencies)');
      continue;
    }
    if (deps[name] === undefined) problems.push(`${name} (${[...specs].join(', ')}) is loaded by out/main but is not in package.json "dependencies"`);
  }
  if (refs.has(workerEntry)) {
    const inWorker = packagesOf(refs, reachableChunks(refs, workerEntry));
    if (inWorker.has('electron')) problems.push(`${workerEntry} loads electron: worker threads have no Electron API`);
  } else {
    problems.push(`out/main has no ${workerEntry}: the engine worker is not built`);
  }
  for (const [chunk, r] of refs) for (const d of r.dynamic) problems.push(`${chunk}: ${d} cannot be checked`);
  return problems;
}

/** The files electron/main/index.ts and the worker code expect beside out/main. */
export const REQUIRED_OUTPUT = ['main/index.js', 'main/engine-worker.js', 'preload/index.cjs', 'renderer/index.html'];

/**
 * The electron-vite output an installer is made of: the entries exist, every
 * main-process chunk sits flat in out/main (what `new URL('./x', import.meta.url)`
 * relies on), and every file the bundle opens that way was shipped beside it.
 */
export function checkBuildOutput(outDir: string, refs: BundleRefs): string[] {
  const problems: string[] = [];
  for (const file of REQUIRED_OUTPUT) if (!existsSync(join(outDir, file))) problems.push(`${file} is missing from the build output`);
  const mainDir = join(outDir, 'main');
  for (const entry of readdirSync(mainDir, { withFileTypes: true })) {
    if (entry.isDirectory() && readdirSync(join(mainDir, entry.name), { recursive: true }).some((f) => String(f).endsWith('.js'))) {
      problems.push(`out/main/${entry.name}/ holds chunks: the main bundle must be flat`);
    }
  }
  for (const [chunk, r] of refs) {
    for (const worker of r.workers) {
      if (!existsSync(join(mainDir, worker))) {
        problems.push(`${chunk} starts the worker ${worker}, which is not in out/main: add it as an input in electron.vite.config.ts`);
      }
    }
    for (const url of r.urls) {
      if (!existsSync(fileURLToPath(new URL(url, pathToFileURL(join(mainDir, chunk)))))) {
        problems.push(
          url.endsWith('.mjs')
            ? `${chunk} starts new URL('${url}', import.meta.url), a tsx worker shim that is not in out/main: add the worker as an input in electron.vite.config.ts and start it through workerEntryUrl() (engine/worker/client.ts)`
            : `${chunk} opens new URL('${url}', import.meta.url), which is not in out/main: ship it beside the bundle`,
        );
      }
    }
  }
  return problems;
}
