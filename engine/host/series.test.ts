/**
 * The recon page's calls (series.list, series.get) on a generated three-day
 * series run day by day into one workspace (real DuckDB files, the real
 * workflow store), beside a second definition's series with a run whose file
 * was deleted and one pulled from another workstation: the runs in as-of
 * order with their lifecycle counts, decided and overdue breaks (as the run
 * overview counts them, following SLAs and decisions) and unknown rates.
 */
import './testing/fail-on-unhandled.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contract, type CallResult } from '../contract/index.ts';
import { runGeneratedSeries } from '../series/testing/generated-series.ts';
import { runRecon, type RunSummary } from '../run/run-recon.ts';
import { openStore, type Store } from '../store/open.ts';
import { sql } from '../store/sql.ts';
import { recordRunCompleted, recordRunStarted } from '../workflow/runs.ts';
import { createService, type Service } from './service.ts';
import { registerCompletedRun } from './testing/register-run.ts';

const SERIES = 'Trades vs custodian (series)';
const OTHER = 'Positions vs custodian';
const REMOTE_RUN = 'remote-run-elsewhere';

let dir: string;
let store: Store;
let service: Service;
const runs: RunSummary[] = [];
/** The other definition's runs: the first keeps its file, the second's file is deleted. */
const other: RunSummary[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'recon-series-'));
  const series = await runGeneratedSeries(dir, { rows: 1500, days: 3, seed: 7, breakRate: 0.04, name: SERIES });
  const { definition, workspace } = series;
  const d1 = series.days[0];
  runs.push(...series.runs);
  for (const asOf of ['2024-07-01', '2024-07-02']) other.push(await runRecon({ aPath: d1!.aPath, bPath: d1!.bPath, definition: { ...definition, name: OTHER }, workspace, asOf }));
  store = openStore(workspace);
  for (const r of [...other, ...runs]) registerCompletedRun(store, workspace, r);
  await rm(other[1]!.database);
  // A run pulled from another workstation, registered last but of an earlier as-of date: the series is in as-of order.
  const actor = { userId: 'recon', displayName: 'recon' };
  recordRunStarted(store, actor, { runId: REMOTE_RUN, definition: { name: OTHER }, duckdbPath: 'remote:device-b', inputs: { a: { path: 'a.csv', sha256: 'x' }, b: { path: 'b.csv', sha256: 'y' } } });
  recordRunCompleted(store, actor, REMOTE_RUN, { ...other[0]!, runId: REMOTE_RUN, lifecycle: { ...other[0]!.lifecycle, asOf: '2024-06-28' } });

  service = createService({ workspace, host: 'test', version: '0', store, user: { userId: 'ada', displayName: 'Ada' }, emit: () => undefined });
  await service.invoke('users.grant', { userId: 'ada', role: 'analyst' });
}, 180_000);

afterAll(async () => {
  await service?.close();
  store?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const get = async (name: string, limit?: number): Promise<CallResult<'series.get'>> => {
  const res = await service.invoke('series.get', { name, ...(limit !== undefined ? { limit } : {}) });
  expect(contract['series.get'].result.safeParse(res).success).toBe(true);
  return res;
};
const decidedIn = (runId: string): number =>
  store.read((tx) => tx.get<{ n: number }>(sql`SELECT count(*) AS n FROM break_status WHERE run_id = ${runId} AND status IN ('ACCEPTED', 'OVERRIDDEN', 'REJECTED')`))!.n;

describe('series.list', () => {
  it('lists each definition name with its runs, its last run and the breaks open in its latest completed run', async () => {
    const res = await service.invoke('series.list', {});
    expect(contract['series.list'].result.safeParse(res).success).toBe(true);
    const main = res.series.find((s) => s.name === SERIES)!;
    expect(main).toEqual({
      name: SERIES,
      runs: 3,
      completed: 3,
      lastRun: { runId: runs[2]!.runId, status: 'COMPLETED', startedAt: expect.any(String), asOf: runs[2]!.lifecycle.asOf },
      latest: { runId: runs[2]!.runId, asOf: runs[2]!.lifecycle.asOf, open: runs[2]!.breaks.total, hasFile: true },
    });
    const second = res.series.find((s) => s.name === OTHER)!;
    // The latest by as-of date is the second run, whose file is gone; the remote one is older.
    expect(second).toMatchObject({ runs: 3, completed: 3, latest: { runId: other[1]!.runId, asOf: '2024-07-02', open: other[1]!.breaks.total, hasFile: false } });
    expect(res.series.map((s) => s.name).sort()).toEqual([OTHER, SERIES].sort());
  });
});

describe('series.get', () => {
  it("gives the runs in as-of order with their lifecycle counts, open breaks and unknown rate, linked to the previous run", async () => {
    const res = await get(SERIES);
    expect(res.total).toBe(3);
    expect(res.runs.map((r) => r.runId)).toEqual(runs.map((r) => r.runId));
    res.runs.forEach((r, i) => {
      const s = runs[i]!;
      expect(r).toEqual({
        runId: s.runId,
        status: 'COMPLETED',
        startedAt: expect.any(String),
        finishedAt: expect.any(String),
        asOf: s.lifecycle.asOf,
        previousRunId: i === 0 ? null : runs[i - 1]!.runId,
        remoteDevice: null,
        hasFile: true,
        open: s.breaks.total,
        decided: 0,
        new: s.lifecycle.new,
        carried: s.lifecycle.carried,
        changed: s.lifecycle.changed,
        resolved: s.lifecycle.resolved,
        // No SLA on any reason yet: nothing is overdue.
        overdue: 0,
        unknownRate: s.attribution.unknownRate,
      });
    });
    expect(res.runs[1]!.carried! + res.runs[1]!.changed! + res.runs[1]!.new!).toBe(runs[1]!.breaks.total);
    expect(res.latest).toEqual({ runId: runs[2]!.runId, asOf: runs[2]!.lifecycle.asOf, open: runs[2]!.breaks.total, hasFile: true });
  });

  it('counts overdue breaks as the run overview does, following SLA changes and decisions', async () => {
    const before = await service.invoke('breaks.page', { runId: runs[2]!.runId, startRow: 0, endRow: 1000, sortModel: [{ colId: 'ageDays', sort: 'desc' }] });
    const old = before.rows.find((r) => r.ageDays === 2 && r.reason !== null && r.status === 'AUTO')!;
    await service.invoke('reasons.setSla', { code: old.reason!, slaDays: 0 });
    let res = await get(SERIES);
    for (const r of res.runs) expect(r.overdue).toBe((await service.invoke('runs.ageing', { runId: r.runId })).overdue);
    expect(res.runs[0]!.overdue).toBe(0);
    expect(res.runs[2]!.overdue).toBeGreaterThan(0);

    // A decision: counted as decided, and a rejected break keeps its reason, so still overdue.
    await service.invoke('review.decide', { runId: runs[2]!.runId, breakId: old.breakId, kind: 'REJECT', comment: 'fixed upstream tomorrow' });
    res = await get(SERIES);
    expect(res.runs[2]!.decided).toBe(decidedIn(runs[2]!.runId));
    expect(res.runs[2]!.decided).toBeGreaterThan(0);
    expect(res.runs[2]!.overdue).toBe((await service.invoke('runs.ageing', { runId: runs[2]!.runId })).overdue);

    await service.invoke('reasons.setSla', { code: old.reason!, slaDays: null });
    res = await get(SERIES);
    expect(res.runs.map((r) => r.overdue)).toEqual([0, 0, 0]);
  });

  it('returns the newest runs up to the limit, and the total', async () => {
    const res = await get(SERIES, 2);
    expect(res.total).toBe(3);
    expect(res.runs.map((r) => r.runId)).toEqual([runs[1]!.runId, runs[2]!.runId]);
  });

  it("skips the files it cannot read: a deleted run's and a remote run's figures come from the registry, without overdue", async () => {
    const res = await get(OTHER);
    expect(res.runs.map((r) => r.runId)).toEqual([REMOTE_RUN, other[0]!.runId, other[1]!.runId]);
    const [remote, kept, gone] = res.runs;
    expect(remote).toMatchObject({ remoteDevice: 'device-b', hasFile: false, overdue: null, asOf: '2024-06-28', open: other[0]!.breaks.total });
    expect(kept).toMatchObject({ hasFile: true, overdue: 0, previousRunId: null, new: other[0]!.breaks.total });
    expect(gone).toMatchObject({ hasFile: false, overdue: null, previousRunId: other[0]!.runId, open: other[1]!.breaks.total, carried: other[1]!.lifecycle.carried });
    expect(res.latest).toMatchObject({ runId: other[1]!.runId, hasFile: false });
  });

  it('answers NOT_FOUND for a name with no runs, and refuses a limit out of range', async () => {
    expect(await service.call('series.get', { name: 'no such series' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await service.call('series.get', { name: SERIES, limit: 0 })).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
  });
});
