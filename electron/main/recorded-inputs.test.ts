/**
 * "Run again" in the desktop app: the files this workspace's own runs read may be read again
 * without a dialog (never written), through the real service and the real ChosenPaths as
 * engine-host.ts wires them; a run pulled from the team server lends its paths nothing.
 */
import '../../engine/host/testing/fail-on-unhandled.ts';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createService, type Service } from '../../engine/host/service.ts';
import { createRunFixture, type RunFixture } from '../../engine/host/testing/run-fixture.ts';
import { ChosenPaths } from './policy/chosen-paths.ts';
import { recordedRunInputs } from './recorded-inputs.ts';

let fx: RunFixture;

beforeAll(async () => {
  fx = await createRunFixture(200, 3);
  // As engine/sync/apply-remote.ts registers a pulled run, here with input paths it would never carry.
  fx.store.db
    .prepare(
      `INSERT INTO runs (run_id, definition_name, duckdb_path, definition_snapshot, inputs, summary, status, started_by, started_at, finished_at)
       VALUES ('elsewhere-1', 'trades', 'remote:dev-2', '{}', '{"a":{"path":"/etc/passwd"},"b":{"path":"/etc/shadow"}}', NULL, 'COMPLETED', 'bob', '2026-01-01T00:00:00.000Z', '2026-01-01T00:01:00.000Z')`,
    )
    .run();
  fx.store.db.prepare(`INSERT INTO sync_remote_runs (run_id, device_id, pulled_at) VALUES ('elsewhere-1', 'dev-2', '2026-01-01T00:02:00.000Z')`).run();
});

afterAll(async () => {
  await fx?.dispose();
});

function desktop(): Service {
  const paths = new ChosenPaths({ ownedFolders: [join(fx.workspace, 'exports')], recordedInputs: () => recordedRunInputs(fx.store) });
  return createService({
    workspace: fx.workspace,
    host: 'test',
    version: '0',
    store: fx.store,
    user: { userId: 'ada', displayName: 'Ada' },
    emit: () => undefined,
    chooseFile: async () => null,
    pathPolicy: (path, use) => paths.allows(path, use),
  });
}

const refusedPath = { ok: false, error: { code: 'INVALID_ARGUMENT', details: { reason: 'PATH_NOT_CHOSEN' } } };

describe('the inputs of recorded runs', () => {
  it("are this workspace's runs' A and B files, not a pulled run's", () => {
    expect(recordedRunInputs(fx.store).sort()).toEqual([fx.gen.aPath, fx.gen.bPath].sort());
  });

  it('may be previewed again without a dialog, and nothing else: not their neighbours, not written', async () => {
    const service = desktop();
    expect(await service.call('files.preview', { path: fx.gen.aPath })).toMatchObject({ ok: true });
    expect(await service.call('files.preview', { path: fx.gen.bPath, side: 'b' })).toMatchObject({ ok: true });
    // The definition lies beside them; it was never an input.
    expect(await service.call('definitions.import', { path: fx.gen.definitionPath })).toMatchObject(refusedPath);
    expect(await service.call('audit.export', { path: fx.gen.aPath, overwrite: true })).toMatchObject(refusedPath);
    expect(await service.call('files.preview', { path: '/etc/passwd' })).toMatchObject(refusedPath);
    await service.close();
  });
});
