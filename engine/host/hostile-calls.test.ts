import './testing/fail-on-unhandled.ts';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contract, type CallName } from '../contract/index.ts';
import type { Keychain } from '../sync/credentials.ts';
import { createService, type Service } from './service.ts';
import { caseLabel, hostileCases, replyProblem, type HostileContext } from './testing/hostile-args.ts';
import { createRunFixture, type RunFixture } from './testing/run-fixture.ts';

/**
 * Every call of the contract, driven with hostile arguments against a real
 * service on a temp workspace with a real run: each reply is a valid result
 * or error data with a stable code (never INTERNAL_ERROR, which would mean
 * the input reached code that did not expect it), nothing escapes the host
 * (fail-on-unhandled), and the service answers a plain call afterwards.
 */
let fx: RunFixture;
let service: Service;
let ctx: HostileContext;

const memoryKeychain = (): Keychain => {
  const m = new Map<string, string>();
  return { set: (a, p) => void m.set(a, p), get: (a) => m.get(a) ?? null, delete: (a) => m.delete(a) };
};

let cwd: string;

beforeAll(async () => {
  fx = await createRunFixture(300, 11);
  // Relative paths resolve against the host's working folder: a scratch one, never the repository.
  cwd = process.cwd();
  await mkdir(join(fx.dir, 'cwd', 'a', 'b', 'c', 'd', 'e', 'f'), { recursive: true });
  process.chdir(join(fx.dir, 'cwd', 'a', 'b', 'c', 'd', 'e', 'f'));
  const outDir = join(fx.dir, 'out');
  await mkdir(outDir);
  await writeFile(join(fx.dir, 'blocker'), 'a file where a folder would be');
  ctx = {
    runId: fx.summary.runId,
    aPath: fx.gen.aPath,
    missing: join(fx.dir, 'blocker', 'no', 'file.csv'),
    dir: fx.dir,
    definition: JSON.parse(await readFile(fx.gen.definitionPath, 'utf8')) as HostileContext['definition'],
    outDir,
  };
  service = createService({
    workspace: fx.workspace,
    host: 'test',
    version: '9.9.9',
    store: fx.store,
    user: { userId: 'ada', displayName: 'Ada' },
    quickRetrain: true,
    emit: () => undefined,
    sync: { keychain: memoryKeychain(), env: {}, intervalMs: 3_600_000, backoff: { baseMs: 60_000, capMs: 60_000 }, timeouts: { connectMs: 500, queryMs: 500 } },
  });
  // Ada holds every role, so calls get past the role checks to what they do with their arguments.
  for (const role of ['admin', 'analyst', 'approver'] as const) await service.invoke('users.grant', { userId: 'ada', role });
  await service.invoke('users.add', { userId: 'cy', displayName: 'Cy', roles: ['analyst'] });
});

afterAll(async () => {
  process.chdir(cwd);
  await service?.close();
  await fx?.dispose();
});

/** Cases grouped by call, so a failure names its call and a slow one does not stall the others. */
const groups = (): Map<CallName, unknown[]> => {
  const m = new Map<CallName, unknown[]>();
  for (const { name, args } of hostileCases(ctx, 1_000_000)) m.set(name, [...(m.get(name) ?? []), args]);
  return m;
};

describe('every contract call with hostile arguments', () => {
  // Built once the fixture exists (ctx is set in beforeAll); the names are the contract's, known now.
  const names = Object.keys(contract) as CallName[];
  let cases: Map<CallName, unknown[]>;
  beforeAll(() => {
    cases = groups();
  });

  it('has cases for every call of the contract', () => {
    expect([...cases.keys()].sort()).toEqual([...names].sort());
  });

  it.each(names)('%s: a result or error data, never INTERNAL_ERROR, and the host still serves', async (name) => {
    const problems: string[] = [];
    for (const args of cases.get(name) ?? []) {
      const t0 = performance.now();
      // A call that never answers is a failure too (the UI would wait forever), not a hung suite.
      const reply = await Promise.race([service.call(name, args), new Promise((r) => setTimeout(() => r('no answer within 60 s'), 60_000).unref())]);
      const ms = performance.now() - t0;
      const problem = typeof reply === 'string' ? reply : replyProblem(name, reply);
      if (problem) problems.push(`${caseLabel(name, args)} → ${problem}`);
      else if (ms > 20_000) problems.push(`${caseLabel(name, args)} → answered, but took ${Math.round(ms)} ms`);
    }
    expect(problems).toEqual([]);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(await service.call('app.version', {})).toMatchObject({ ok: true, value: { version: '9.9.9' } });
  }, 300_000);

  it('still answers a real call on the run afterwards', async () => {
    expect(await service.call('runs.get', { runId: ctx.runId })).toMatchObject({ ok: true });
  });
});
