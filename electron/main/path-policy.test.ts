/**
 * Issue 17, item 17: in the desktop app the renderer may name only paths the
 * person chose in a native dialog this session, or the workspace's exports/.
 * The real service with the real ChosenPaths, as engine-host.ts wires them;
 * the native dialog itself is a function standing in for Electron's (the
 * Electron binary cannot run on these machines). A service without a path
 * policy (`recon serve`, the CLI) keeps taking any path.
 */
import '../../engine/host/testing/fail-on-unhandled.ts';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import type { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contract, type FileChoice } from '../../engine/contract/index.ts';
import { filePathSchema } from '../../engine/contract/ids.ts';
import { createService, PATH_ARGS, type Service } from '../../engine/host/service.ts';
import { createRunFixture, type RunFixture } from '../../engine/host/testing/run-fixture.ts';
import { ChosenPaths, rememberingDialog } from './policy/chosen-paths.ts';

let fx: RunFixture;
let out: string;

beforeAll(async () => {
  fx = await createRunFixture(300, 5);
  out = await mkdtemp(join(tmpdir(), 'recon-path-policy-'));
});

afterAll(async () => {
  await fx?.dispose();
  if (out) await rm(out, { recursive: true, force: true });
});

/** The desktop wiring: a dialog whose next answer the test sets, remembered by a ChosenPaths over the workspace's exports/. */
function desktop(): { service: Service; pick: (path: string | null) => void } {
  let next: string | null = null;
  const paths = new ChosenPaths({ ownedFolders: [join(fx.workspace, 'exports')] });
  const dialog = rememberingDialog<FileChoice>(paths, async () => next);
  const service = createService({
    workspace: fx.workspace,
    host: 'test',
    version: '0',
    store: fx.store,
    user: { userId: 'ada', displayName: 'Ada' },
    emit: () => undefined,
    chooseFile: dialog,
    pathPolicy: (path, use) => paths.allows(path, use),
  });
  return { service, pick: (path) => (next = path) };
}

const refusedPath = { ok: false, error: { code: 'INVALID_ARGUMENT', details: { reason: 'PATH_NOT_CHOSEN' } } };

describe('the desktop path policy', () => {
  it('refuses every path-taking call a path nobody chose, before touching the disk', async () => {
    const { service } = desktop();
    const runId = fx.summary.runId;
    const a = fx.gen.aPath;
    const b = fx.gen.bPath;
    const definition = JSON.parse(await readFile(fx.gen.definitionPath, 'utf8')) as Record<string, unknown>;
    expect(await service.call('files.preview', { path: a })).toMatchObject(refusedPath);
    expect(await service.call('files.preview', { path: '/etc/passwd' })).toMatchObject(refusedPath);
    expect(await service.call('definitions.infer', { aPath: a, bPath: b, taskId: 't1' })).toMatchObject(refusedPath);
    expect(await service.call('runs.start', { aPath: a, bPath: b, definition })).toMatchObject(refusedPath);
    expect(await service.call('definitions.import', { path: fx.gen.definitionPath })).toMatchObject(refusedPath);
    const target = join(out, 'not-chosen', 'x.json');
    expect(await service.call('definitions.export', { definition, path: target })).toMatchObject(refusedPath);
    expect(await service.call('runs.export', { runId, format: 'summary', path: target, taskId: 't2' })).toMatchObject(refusedPath);
    expect(await service.call('audit.export', { path: target })).toMatchObject(refusedPath);
    // Writing into the workspace outside exports/ (its store, its run files) is refused too.
    expect(await service.call('audit.export', { path: join(fx.workspace, 'workspace.sqlite'), overwrite: true })).toMatchObject(refusedPath);
    expect(await service.call('runs.export', { runId, format: 'csv', path: join(fx.workspace, 'exports', '..', 'runs', `${runId}.duckdb`), overwrite: true, taskId: 't3' })).toMatchObject(refusedPath);
    // Nothing was created, not even the missing folder an export would make.
    expect(existsSync(join(out, 'not-chosen'))).toBe(false);
    // The message says what to do; the host keeps serving.
    const r = await service.call('files.preview', { path: a });
    expect(JSON.stringify(r)).toContain('Browse');
    expect(await service.call('app.version', {})).toMatchObject({ ok: true });
    await service.close();
  });

  it('reads a file picked to open, writes a file picked to save, and neither the other way round', async () => {
    const { service, pick } = desktop();
    pick(fx.gen.aPath);
    expect(await service.invoke('files.choose', { mode: 'open', title: 'Source A' })).toEqual({ path: fx.gen.aPath });
    expect(await service.call('files.preview', { path: fx.gen.aPath })).toMatchObject({ ok: true });
    // The same path through dot segments is the same file.
    expect(await service.call('files.preview', { path: `${dirname(fx.gen.aPath)}/./../${basename(dirname(fx.gen.aPath))}/${basename(fx.gen.aPath)}` })).toMatchObject({ ok: true });
    // Picked to open: not a place to write.
    expect(await service.call('audit.export', { path: fx.gen.aPath, overwrite: true })).toMatchObject(refusedPath);
    // B was not picked yet.
    expect(await service.call('files.preview', { path: fx.gen.bPath })).toMatchObject(refusedPath);

    const target = join(out, 'audit.ndjson');
    pick(target);
    await service.invoke('files.choose', { mode: 'save', title: 'Export' });
    const written = await service.invoke('audit.export', { path: target });
    expect(written.path).toBe(resolve(target));
    expect(existsSync(target)).toBe(true);
    // Picked to save: not a file to read back through a preview.
    expect(await service.call('files.preview', { path: target })).toMatchObject(refusedPath);
    // A cancelled dialog allows nothing new.
    pick(null);
    expect(await service.invoke('files.choose', { mode: 'open', title: 'Source B' })).toEqual({ path: null });
    expect(await service.call('files.preview', { path: fx.gen.bPath })).toMatchObject(refusedPath);
    await service.close();
  });

  it('writes exports into the workspace exports/ folder without a dialog', async () => {
    const { service } = desktop();
    const runId = fx.summary.runId;
    const byDefault = await service.invoke('runs.export', { runId, format: 'summary', taskId: 'd1' });
    expect(byDefault.path.startsWith(join(fx.workspace, 'exports'))).toBe(true);
    const named = join(fx.workspace, 'exports', 'month-end', 'summary.txt');
    expect((await service.invoke('runs.export', { runId, format: 'summary', path: named, taskId: 'd2' })).path).toBe(named);
    await service.close();
  });

  it('is a host option: a service without one (recon serve) takes any path', async () => {
    const service = createService({ workspace: fx.workspace, host: 'test', version: '0', store: fx.store, user: { userId: 'ada', displayName: 'Ada' }, emit: () => undefined });
    expect(await service.call('files.preview', { path: fx.gen.aPath })).toMatchObject({ ok: true });
    const target = join(out, 'serve', 'trail.ndjson');
    expect(await service.call('audit.export', { path: target })).toMatchObject({ ok: true });
    await service.close();
  });

  it('knows every contract argument that names a file (a new one must be listed or exempted here)', () => {
    const exempt = new Set(['files.choose.defaultPath', 'sync.configure.caFile']);
    const isPath = (schema: z.ZodType): boolean => {
      let t: unknown = schema;
      for (let i = 0; i < 8 && t !== undefined && t !== filePathSchema; i++) t = (t as { def?: { innerType?: unknown } }).def?.innerType;
      return t === filePathSchema;
    };
    const found: string[] = [];
    for (const [name, call] of Object.entries(contract)) {
      const shape = (call.args as unknown as { shape?: Record<string, z.ZodType> }).shape ?? {};
      for (const [arg, schema] of Object.entries(shape)) if (isPath(schema)) found.push(`${name}.${arg}`);
    }
    const listed = Object.entries(PATH_ARGS).flatMap(([name, args]) => Object.keys(args).map((arg) => `${name}.${arg}`));
    expect(found.filter((p) => !exempt.has(p)).sort()).toEqual(listed.sort());
    expect(found).toEqual(expect.arrayContaining([...exempt]));
  });
});
