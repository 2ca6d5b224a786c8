import './testing/fail-on-unhandled.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Service } from './service.ts';
import { createRunFixture, serviceOn, type RunFixture } from './testing/run-fixture.ts';

/**
 * A run pulled from the team server (made on another workstation): listed,
 * marked with its device, and every call that needs its file says where it is
 * instead of failing on a path that does not exist.
 */
let fx: RunFixture;
let service: Service;

beforeAll(async () => {
  fx = await createRunFixture(300);
  // As engine/sync/apply-remote.ts registers a pulled run: its file is "remote:<device>".
  fx.store.db
    .prepare(
      `INSERT INTO runs (run_id, definition_name, duckdb_path, definition_snapshot, inputs, summary, status, started_by, started_at, finished_at)
       VALUES ('elsewhere-1', 'trades', 'remote:dev-2', '{}', '{}', '{"breaks":{"total":4}}', 'COMPLETED', 'bob', '2026-01-01T00:00:00.000Z', '2026-01-01T00:01:00.000Z')`,
    )
    .run();
  service = serviceOn(fx);
});

afterAll(async () => {
  await service.close();
  await fx.dispose();
});

describe('runs of another workstation', () => {
  it('are listed with the device they were made on; local runs have none', async () => {
    const { runs } = await service.invoke('runs.list', {});
    expect(runs.find((r) => r.runId === 'elsewhere-1')).toMatchObject({ status: 'COMPLETED', remoteDevice: 'dev-2', breaks: 4, startedBy: 'bob' });
    expect(runs.find((r) => r.runId === fx.summary.runId)?.remoteDevice).toBeNull();
  });

  it('answer get, breaks and export with where the results are', async () => {
    for (const [name, args] of [
      ['runs.get', { runId: 'elsewhere-1' }],
      ['breaks.page', { runId: 'elsewhere-1', startRow: 0, endRow: 10 }],
      ['runs.export', { runId: 'elsewhere-1', format: 'csv' }],
    ] as const) {
      const r = await service.call(name, args);
      expect(r, name).toMatchObject({ ok: false, error: { code: 'RUN_NOT_FOUND', details: { device: 'dev-2' } } });
      expect(JSON.stringify(r)).toContain('another workstation');
    }
  });
});
