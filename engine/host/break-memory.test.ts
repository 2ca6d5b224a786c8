/**
 * Break memory in the workstation, on a generated three-day series run day by
 * day into one workspace (real DuckDB files, the real workflow store): the
 * grid's lifecycle, first-seen, age and SLA columns sorted, filtered and
 * faceted; the quick filters' models; SLAs per reason code (admin, audited)
 * reaching the grid and following a decision's reason; the run overview's
 * lifecycle counts and age buckets; a break's history across the series; and
 * a run file from before break memory, whose breaks have none.
 */
import './testing/fail-on-unhandled.ts';
import { DuckDBInstance } from '@duckdb/node-api';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contract, type BreakRow, type CallArgs, type FilterModel } from '../contract/index.ts';
import { runGeneratedSeries } from '../series/testing/generated-series.ts';
import type { RunSummary } from '../run/run-recon.ts';
import { openStore, type Store } from '../store/open.ts';
import { sql } from '../store/sql.ts';
import { createService, type Service } from './service.ts';
import { registerCompletedRun } from './testing/register-run.ts';

let dir: string;
let store: Store;
let service: Service;
const runs: RunSummary[] = [];
/** A copy of day 1's run file without its break-memory tables, as a run from before break memory. */
const OLD_RUN = 'old-run-before-memory';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'recon-memory-'));
  const series = await runGeneratedSeries(dir, { rows: 1500, days: 3, seed: 7, breakRate: 0.04 });
  const workspace = series.workspace;
  runs.push(...series.runs);
  store = openStore(workspace);
  for (const r of runs) registerCompletedRun(store, workspace, r);

  const oldPath = join(workspace, 'runs', `${OLD_RUN}.duckdb`);
  await copyFile(runs[0]!.database, oldPath);
  const db = await DuckDBInstance.create(oldPath);
  const c = await db.connect();
  for (const t of ['series_info', 'break_memory', 'resolved_breaks', 'carried_decisions']) await c.run(`DROP TABLE IF EXISTS ${t}`);
  c.closeSync();
  db.closeSync();
  registerCompletedRun(store, workspace, { ...runs[0]!, runId: OLD_RUN });

  service = createService({ workspace, host: 'test', version: '0', store, user: { userId: 'ada', displayName: 'Ada' }, emit: () => undefined });
  await service.invoke('users.grant', { userId: 'ada', role: 'analyst' });
}, 180_000);

afterAll(async () => {
  await service?.close();
  store?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const day = (n: 1 | 2 | 3): string => runs[n - 1]!.runId;
const page = async (runId: string, more: Partial<CallArgs<'breaks.page'>> = {}): Promise<{ rows: BreakRow[]; lastRow: number }> => {
  const res = await service.invoke('breaks.page', { runId, startRow: 0, endRow: 1000, ...more });
  expect(contract['breaks.page'].result.safeParse(res).success).toBe(true);
  return res;
};
/** Every break of a run (the default order), for checking the SQL against. */
const all = async (runId: string): Promise<BreakRow[]> => {
  const out: BreakRow[] = [];
  for (let start = 0; ; start += 1000) {
    const p = await page(runId, { startRow: start, endRow: start + 1000 });
    out.push(...p.rows);
    if (out.length >= p.lastRow) return out;
  }
};
const set = (col: string, ...values: (string | null)[]): FilterModel => ({ [col]: { filterType: 'set', values } }) as FilterModel;
const ids = (rows: BreakRow[]): number[] => rows.map((r) => r.breakId).sort((x, y) => x - y);

describe('the grid', () => {
  it("shows every break's lifecycle, first seen run and date, and ages in runs and days", async () => {
    const rows = await all(day(3));
    expect(rows.length).toBe(runs[2]!.breaks.total);
    const asOf = new Map(runs.map((r) => [r.runId, r.lifecycle.asOf]));
    for (const r of rows) {
      expect(['NEW', 'CARRIED', 'CHANGED']).toContain(r.lifecycle);
      expect(asOf.has(r.firstSeenRun!)).toBe(true);
      expect(r.firstSeenAsOf).toBe(asOf.get(r.firstSeenRun!));
      expect(r.ageDays).toBe((Date.parse(runs[2]!.lifecycle.asOf) - Date.parse(r.firstSeenAsOf!)) / 86_400_000);
      if (r.lifecycle === 'NEW') expect([r.ageRuns, r.ageDays, r.firstSeenRun]).toEqual([1, 0, day(3)]);
      // No SLA set yet: nothing is overdue.
      expect([r.slaDays, r.pastSla]).toEqual([null, null]);
    }
    const count = (l: string): number => rows.filter((r) => r.lifecycle === l).length;
    expect([count('NEW'), count('CARRIED'), count('CHANGED')]).toEqual([runs[2]!.lifecycle.new, runs[2]!.lifecycle.carried, runs[2]!.lifecycle.changed]);
    expect(rows.some((r) => r.ageRuns === 3 && r.ageDays === 2)).toBe(true);
  });

  it('filters by lifecycle (the quick filters "New today" and "Changed") and counts the lifecycle facet under the other filters', async () => {
    const rows = await all(day(3));
    const fresh = await page(day(3), { filterModel: set('lifecycle', 'NEW') });
    expect(fresh.lastRow).toBe(runs[2]!.lifecycle.new);
    expect(fresh.rows.every((r) => r.lifecycle === 'NEW')).toBe(true);
    const changed = await page(day(3), { filterModel: set('lifecycle', 'CHANGED') });
    expect(ids(changed.rows)).toEqual(ids(rows.filter((r) => r.lifecycle === 'CHANGED')));

    const facets = await service.invoke('breaks.facets', { runId: day(3) });
    expect(facets.hasMemory).toBe(true);
    expect(Object.fromEntries(facets.lifecycles.map((f) => [f.value, f.count]))).toEqual({ NEW: runs[2]!.lifecycle.new, CARRIED: runs[2]!.lifecycle.carried, CHANGED: runs[2]!.lifecycle.changed });
    // With a field picked, the lifecycle facet counts that field's breaks; with a lifecycle picked, it still shows every lifecycle.
    const field = rows.find((r) => r.lifecycle === 'CARRIED')!.field;
    const filtered = await service.invoke('breaks.facets', { runId: day(3), filterModel: { ...set('field', field), ...set('lifecycle', 'NEW') } });
    const want = (l: string): number => rows.filter((r) => r.field === field && r.lifecycle === l).length;
    expect(Object.fromEntries(filtered.lifecycles.map((f) => [f.value, f.count]))).toEqual(
      Object.fromEntries(['NEW', 'CARRIED', 'CHANGED'].filter((l) => want(l) > 0).map((l) => [l, want(l)])),
    );
    expect(filtered.fields.find((f) => f.value === field)?.count).toBe(rows.filter((r) => r.field === field && r.lifecycle === 'NEW').length);
  });

  it('sorts and number-filters by age, and text-filters first seen by run id or date', async () => {
    const rows = await all(day(3));
    const byAge = await page(day(3), { sortModel: [{ colId: 'ageDays', sort: 'desc' }] });
    const ages = byAge.rows.map((r) => r.ageDays!);
    expect(ages).toEqual([...ages].sort((x, y) => y - x));
    expect(ages[0]).toBe(2);
    const old = await page(day(3), { filterModel: { ageRuns: { filterType: 'number', type: 'greaterThanOrEqual', filter: 2 } }, sortModel: [{ colId: 'firstSeen', sort: 'asc' }] });
    expect(ids(old.rows)).toEqual(ids(rows.filter((r) => r.ageRuns! >= 2)));
    expect(old.rows[0]!.firstSeenRun).toBe(day(1));
    const byRun = await page(day(3), { filterModel: { firstSeen: { filterType: 'text', type: 'contains', filter: day(2) } } });
    expect(ids(byRun.rows)).toEqual(ids(rows.filter((r) => r.firstSeenRun === day(2))));
    const byDate = await page(day(3), { filterModel: { firstSeen: { filterType: 'text', type: 'startsWith', filter: runs[0]!.lifecycle.asOf } } });
    expect(ids(byDate.rows)).toEqual(ids(rows.filter((r) => r.firstSeenRun === day(1))));
    // A window of a sorted view (the grid's second block onwards) carries the memory columns too.
    const second = await service.invoke('breaks.page', { runId: day(3), startRow: 100, endRow: 200, sortModel: [{ colId: 'ageDays', sort: 'desc' }] });
    expect(second.rows.every((r) => r.lifecycle !== null && r.ageDays !== null)).toBe(true);
  });

  it('refuses a text filter on an age and a number filter on the lifecycle', async () => {
    expect(await service.call('breaks.page', { runId: day(3), startRow: 0, endRow: 10, filterModel: { ageDays: { filterType: 'text', type: 'contains', filter: '1' } } })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_ARGUMENT' },
    });
    expect(await service.call('breaks.page', { runId: day(3), startRow: 0, endRow: 10, filterModel: { lifecycle: { filterType: 'number', type: 'equals', filter: 1 } } })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_ARGUMENT' },
    });
  });
});

describe('SLAs per reason code', () => {
  it('are set by an admin only, audited, and listed with the catalogue', async () => {
    await service.invoke('users.add', { userId: 'cy', roles: ['analyst'] });
    const cy = createService({ workspace: join(dir, 'ws'), host: 'test', version: '0', store, user: { userId: 'cy', displayName: 'Cy' }, emit: () => undefined });
    try {
      expect(await cy.call('reasons.setSla', { code: 'FX_DIFF', slaDays: 3 })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN_ROLE' } });
    } finally {
      await cy.close();
    }
    expect(await service.invoke('reasons.setSla', { code: 'FX_DIFF', slaDays: 3 })).toMatchObject({ code: 'FX_DIFF', slaDays: 3 });
    expect(await service.call('reasons.setSla', { code: 'NO_SUCH_CODE', slaDays: 3 })).toMatchObject({ ok: false, error: { code: 'REASON_UNKNOWN' } });
    expect(await service.call('reasons.setSla', { code: 'FX_DIFF', slaDays: -1 })).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    await service.invoke('reasons.setSla', { code: 'FX_DIFF', slaDays: null });
    const { reasons } = await service.invoke('reasons.list', { includeRetired: true });
    expect(reasons.find((r) => r.code === 'FX_DIFF')?.slaDays).toBeNull();
    const events = store.read((tx) => tx.all<{ before: string; after: string }>(sql`SELECT before, after FROM audit_events WHERE action = 'reason.sla_changed' AND target = 'reason:FX_DIFF' ORDER BY seq`));
    expect(events.map((e) => [JSON.parse(e.before), JSON.parse(e.after)])).toEqual([
      [{ sla_days: null }, { sla_days: 3 }],
      [{ sla_days: 3 }, { sla_days: null }],
    ]);
  });

  it("reach the grid: days past SLA by the break's reason, overdue above 0 (the quick filter), sortable", async () => {
    const before = await all(day(3));
    // The reason most old breaks have: an SLA of 1 day makes those first seen on day 1 overdue by a day.
    const counts = new Map<string, number>();
    for (const r of before) if (r.ageDays === 2 && r.reason !== null) counts.set(r.reason, (counts.get(r.reason) ?? 0) + 1);
    const reason = [...counts].sort((x, y) => y[1] - x[1])[0]![0];
    await service.invoke('reasons.setSla', { code: reason, slaDays: 1 });
    const rows = await all(day(3));
    for (const r of rows) {
      expect(r.slaDays).toBe(r.reason === reason ? 1 : null);
      expect(r.pastSla).toBe(r.reason === reason ? r.ageDays! - 1 : null);
    }
    const overdue = await page(day(3), { filterModel: { pastSla: { filterType: 'number', type: 'greaterThan', filter: 0 } }, sortModel: [{ colId: 'pastSla', sort: 'desc' }] });
    expect(ids(overdue.rows)).toEqual(ids(rows.filter((r) => r.reason === reason && r.ageDays! > 1)));
    expect(overdue.lastRow).toBe(counts.get(reason));
    const ageing = await service.invoke('runs.ageing', { runId: day(3) });
    expect(ageing.overdue).toBe(counts.get(reason));
    expect(ageing.byReason.find((r) => r.reason === reason)).toMatchObject({ slaDays: 1, overdue: counts.get(reason) });
  });

  it("follow a decision's reason: an approved override gives the break its new reason's SLA", async () => {
    const rows = await all(day(3));
    const brk = rows.find((r) => r.ageDays === 2 && r.status === 'AUTO' && r.diffType === 'MISMATCH')!;
    const target = brk.reason === 'STATIC_DATA' ? 'FX_DIFF' : 'STATIC_DATA';
    await service.invoke('reasons.setSla', { code: brk.reason!, slaDays: null });
    await service.invoke('reasons.setSla', { code: target, slaDays: 0 });
    expect((await service.invoke('breaks.detail', { runId: day(3), breakId: brk.breakId })).break).toMatchObject({ reason: brk.reason, slaDays: null, pastSla: null });
    const proposal = await service.invoke('review.decide', { runId: day(3), breakId: brk.breakId, kind: 'OVERRIDE', reason: target, comment: 'static data on both sides' });
    await service.invoke('users.add', { userId: 'bo', roles: ['approver'] });
    const bo = createService({ workspace: join(dir, 'ws'), host: 'test', version: '0', store, user: { userId: 'bo', displayName: 'Bo' }, emit: () => undefined });
    try {
      await bo.invoke('approvals.decide', { decisionId: proposal.decisionId, verdict: 'APPROVE' });
    } finally {
      await bo.close();
    }
    const after = (await service.invoke('breaks.detail', { runId: day(3), breakId: brk.breakId })).break;
    expect(after).toMatchObject({ status: 'OVERRIDDEN', reason: target, slaDays: 0, pastSla: 2 });
    const overdue = await page(day(3), { filterModel: { pastSla: { filterType: 'number', type: 'greaterThan', filter: 0 } } });
    expect(overdue.rows.map((r) => r.breakId)).toContain(brk.breakId);
    expect(overdue.rows.every((r) => r.reason !== brk.reason)).toBe(true);
  });
});

describe('the run overview', () => {
  it('counts new, carried, changed and resolved breaks against the previous run, and ages per reason in buckets', async () => {
    const rows = await all(day(3));
    const a = await service.invoke('runs.ageing', { runId: day(3) });
    expect(contract['runs.ageing'].result.safeParse(a).success).toBe(true);
    const l = runs[2]!.lifecycle;
    expect(a).toMatchObject({ hasMemory: true, asOf: l.asOf, previousRunId: day(2), lifecycle: { new: l.new, carried: l.carried, changed: l.changed, resolved: l.resolved } });
    const reasons = [...new Set(rows.map((r) => r.reason))];
    expect(a.byReason.map((r) => r.reason).sort()).toEqual(reasons.sort());
    for (const g of a.byReason) {
      const of = rows.filter((r) => r.reason === g.reason);
      expect(g).toMatchObject({
        total: of.length,
        d0to1: of.filter((r) => r.ageDays! <= 1).length,
        d2to5: of.filter((r) => r.ageDays! >= 2 && r.ageDays! <= 5).length,
        d6to30: 0,
        over30: 0,
        overdue: of.filter((r) => r.pastSla !== null && r.pastSla > 0).length,
      });
    }
    expect(a.total.d0to1 + a.total.d2to5 + a.total.d6to30 + a.total.over30).toBe(rows.length);
    expect(a.overdue).toBe(rows.filter((r) => r.pastSla !== null && r.pastSla > 0).length);
    const first = await service.invoke('runs.ageing', { runId: day(1) });
    expect(first).toMatchObject({ previousRunId: null, lifecycle: { new: runs[0]!.breaks.total, carried: 0, changed: 0, resolved: 0 } });
  });
});

describe("a break's history across the series", () => {
  it('follows a break first seen on day 1 back through day 2 to day 1, with values, reasons and decisions', async () => {
    const rows = await all(day(3));
    const brk = rows.find((r) => r.lifecycle === 'CARRIED' && r.ageRuns === 3)!;
    const h = await service.invoke('breaks.history', { runId: day(3), breakId: brk.breakId });
    expect(contract['breaks.history'].result.safeParse(h).success).toBe(true);
    expect(h.end).toBe('FIRST_SEEN');
    expect(h.entries.map((e) => [e.runId, e.asOf])).toEqual([3, 2, 1].map((n) => [day(n as 1 | 2 | 3), runs[n - 1]!.lifecycle.asOf]));
    expect(h.entries[0]).toMatchObject({ breakId: brk.breakId, valueA: brk.valueA, valueB: brk.valueB, lifecycle: 'CARRIED', ageDays: 2 });
    expect(h.entries.map((e) => [e.lifecycle, e.ageDays])).toEqual([['CARRIED', 2], [h.entries[1]!.lifecycle, 1], ['NEW', 0]]);
    expect(h.entries[2]!.decision).toBeNull();
    // A carried break has the values it had the run before; a changed one had others.
    for (const [i, e] of h.entries.slice(0, -1).entries()) {
      const same = e.valueA === h.entries[i + 1]!.valueA && e.valueB === h.entries[i + 1]!.valueB;
      expect(same, `${e.runId} ${e.lifecycle}`).toBe(e.lifecycle === 'CARRIED');
    }
    // Decide on its day-1 break: the history shows that run's decision.
    const day1Break = h.entries[2]!.breakId;
    await service.invoke('review.decide', { runId: day(1), breakId: day1Break, kind: 'REJECT', comment: 'booked twice upstream' });
    const again = await service.invoke('breaks.history', { runId: day(3), breakId: brk.breakId });
    expect(again.entries[2]!.decision).toMatchObject({ status: 'REJECTED' });
    expect(again.entries[2]!.status).toBe('REJECTED');
  });

  it('shows the values a changed break had before', async () => {
    const rows = await all(day(3));
    const brk = rows.find((r) => r.lifecycle === 'CHANGED')!;
    const h = await service.invoke('breaks.history', { runId: day(3), breakId: brk.breakId });
    expect(h.entries.length).toBeGreaterThanOrEqual(2);
    const [now, before] = h.entries;
    expect([now!.valueA, now!.valueB]).not.toEqual([before!.valueA, before!.valueB]);
  });

  it('ends where an earlier run file is missing', async () => {
    const rows = await all(day(3));
    const brk = rows.find((r) => r.lifecycle === 'CARRIED' && r.ageRuns === 3)!;
    const path = join(dir, 'ws', 'runs', `${day(1)}.duckdb`);
    const aside = `${path}.aside`;
    await service.releaseRun(day(1));
    await copyFile(path, aside);
    await rm(path);
    try {
      const h = await service.invoke('breaks.history', { runId: day(3), breakId: brk.breakId });
      expect(h).toMatchObject({ end: 'RUN_MISSING', missingRunId: day(1) });
      expect(h.entries.map((e) => e.runId)).toEqual([day(3), day(2)]);
    } finally {
      await copyFile(aside, path);
      await rm(aside);
    }
  });

  it('stops after the limit of runs', async () => {
    const { readSeriesHistory } = await import('./workflow/series-history.ts');
    const { RunFileCache } = await import('../run-file/cache.ts');
    const rows = await all(day(3));
    const brk = rows.find((r) => r.lifecycle === 'CARRIED' && r.ageRuns === 3)!;
    const dbs = new RunFileCache((id) => join(dir, 'ws', 'runs', `${id}.duckdb`), join(dir, 'ws'));
    try {
      const h = await readSeriesHistory({ store, dbs, current: await dbs.get(day(3)) }, brk.breakId, 2);
      expect(h).toMatchObject({ end: 'LIMIT' });
      expect(h.entries.length).toBe(2);
    } finally {
      await dbs.closeAll();
    }
  });
});

describe('a run file from before break memory', () => {
  it('pages, sorts, filters and facets with empty memory columns, never failing', async () => {
    const rows = await all(OLD_RUN);
    expect(rows.length).toBe(runs[0]!.breaks.total);
    expect(rows.every((r) => r.lifecycle === null && r.firstSeenRun === null && r.ageRuns === null && r.ageDays === null && r.pastSla === null)).toBe(true);
    expect((await page(OLD_RUN, { sortModel: [{ colId: 'ageDays', sort: 'desc' }, { colId: 'firstSeen', sort: 'asc' }] })).lastRow).toBe(rows.length);
    expect((await page(OLD_RUN, { filterModel: set('lifecycle', 'NEW') })).lastRow).toBe(0);
    expect((await page(OLD_RUN, { filterModel: { pastSla: { filterType: 'number', type: 'greaterThan', filter: 0 } } })).lastRow).toBe(0);
    const facets = await service.invoke('breaks.facets', { runId: OLD_RUN });
    expect(facets).toMatchObject({ hasMemory: false, lifecycles: [] });
    expect((await service.invoke('breaks.facets', { runId: OLD_RUN, filterModel: set('lifecycle', 'NEW') })).lifecycles).toEqual([]);
  });

  it('has an empty ageing overview and a one-entry history', async () => {
    expect(await service.invoke('runs.ageing', { runId: OLD_RUN })).toMatchObject({
      hasMemory: false,
      asOf: null,
      previousRunId: null,
      lifecycle: { new: 0, carried: 0, changed: 0, resolved: 0 },
      byReason: [],
      overdue: 0,
    });
    const h = await service.invoke('breaks.history', { runId: OLD_RUN, breakId: 1 });
    expect(h).toMatchObject({ end: 'NO_MEMORY', missingRunId: null });
    expect(h.entries).toHaveLength(1);
    expect(h.entries[0]).toMatchObject({ runId: OLD_RUN, asOf: null, lifecycle: null });
  });
});
