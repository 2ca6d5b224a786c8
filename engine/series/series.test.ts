import { DuckDBInstance } from '@duckdb/node-api';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDefinitionFile } from '../definition/load.ts';
import type { Definition } from '../definition/schema.ts';
import { generateSeries, type SeriesDay } from '../generate/series.ts';
import { runRecon, type RunSummary } from '../run/run-recon.ts';
import type { PreviousDecision } from './link.ts';

/**
 * A generated five-day series run day by day into one workspace, each run
 * linked to the day before: every lifecycle label, first-seen day, age in
 * runs and resolved break is checked against the generator's own record of
 * what it changed between days (lifecycle.csv, resolved.csv).
 */
const root = mkdtempSync(join(tmpdir(), 'recon-series-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let days: SeriesDay[];
let definition: Definition;
const runs: RunSummary[] = [];
let db: DuckDBInstance;

async function rows(sql: string): Promise<Record<string, string | null>[]> {
  const conn = await db.connect();
  try {
    return (await conn.runAndReadAll(sql)).getRowObjectsJson() as Record<string, string | null>[];
  } finally {
    conn.closeSync();
  }
}
// The quote character is given, not sniffed: a glob is sniffed from its first file, which may hold no quoted value while a later one does.
const csv = (path: string): string => `read_csv('${path}', all_varchar = true, header = true, quote = '"', escape = '"')`;
const dayOfRun = (runId: string | null | undefined): string => String(runs.findIndex((r) => r.runId === runId) + 1);

// Day 2's decisions, made on day 1's run: chosen below from the truth of day 2.
let decided: { carried: PreviousDecision[]; changed: PreviousDecision[] };

beforeAll(async () => {
  const series = await generateSeries({ rows: 3000, days: 5, outDir: join(root, 'data'), seed: 11, breakRate: 0.03 });
  days = series.days;
  definition = await loadDefinitionFile(series.definitionPath);
  db = await DuckDBInstance.create(':memory:');
  const workspace = join(root, 'ws');
  for (const day of days) {
    let previousDecisions: PreviousDecision[] | undefined;
    if (day.day === 2) {
      // Decide on day 1's breaks: some that day 2 carries, some that it changes.
      const day1 = runs[0]!;
      const truth = await rows(`SELECT key, field, lifecycle FROM ${csv(join(day.dir, 'lifecycle.csv'))}`);
      const byId = await rows(
        `ATTACH '${day1.database}' AS d1 (READ_ONLY); SELECT CAST(break_id AS VARCHAR) AS id, key, field FROM d1.breaks; `,
      );
      await rows('DETACH d1');
      const idOf = (key: string, field: string): number => Number(byId.find((b) => b.key === key && b.field === field)!.id);
      const pick = (label: string, n: number): PreviousDecision[] =>
        truth
          .filter((t) => t.lifecycle === label && t.field !== '*')
          .slice(0, n)
          .map((t, i) => ({ breakId: idOf(t.key!, t.field!), status: 'ACCEPTED', reason: 'ROUNDING_DIFF', decisionId: `d-${label}-${i}`, approvalId: null }));
      decided = { carried: pick('CARRIED', 4), changed: pick('CHANGED', 2) };
      previousDecisions = [...decided.carried, ...decided.changed];
    }
    runs.push(
      await runRecon({
        aPath: day.aPath,
        bPath: day.bPath,
        definition,
        workspace,
        asOf: day.asOf,
        outDir: join(root, 'out', `day-${day.day}`),
        ...(previousDecisions ? { previousDecisions } : {}),
      }),
    );
  }
}, 180_000);

describe('a daily series', () => {
  it('links each run to the day before, with its as-of date', () => {
    expect(runs.map((r) => r.lifecycle.previousRunId)).toEqual([null, ...runs.slice(0, -1).map((r) => r.runId)]);
    expect(runs.map((r) => r.lifecycle.asOf)).toEqual(days.map((d) => d.asOf));
    expect(runs[0]!.lifecycle).toMatchObject({ carried: 0, changed: 0, resolved: 0, new: runs[0]!.breaks.total });
  });

  it("labels every break NEW, CARRIED or CHANGED, with its first day and age in runs, as the generator made them", async () => {
    for (const [i, day] of days.entries()) {
      const out = join(root, 'out', `day-${day.day}`, 'breaks.csv');
      const got = await rows(
        `SELECT key, field, list_distinct(list(lifecycle)) AS lifecycles, list_distinct(list(first_seen)) AS first, list_distinct(list(age_runs)) AS ages,
                list_distinct(list(age_days)) AS days
           FROM ${csv(out)} GROUP BY key, field ORDER BY key, field`,
      );
      const want = await rows(`SELECT key, field, lifecycle, first_seen_day, age_runs FROM ${csv(join(day.dir, 'lifecycle.csv'))} ORDER BY key, field`);
      expect(got.map((g) => `${g.key}/${g.field}`)).toEqual(want.map((w) => `${w.key}/${w.field}`));
      const wrong = got.flatMap((g, j) => {
        const w = want[j]!;
        const lifecycles = g.lifecycles as unknown as string[];
        const first = (g.first as unknown as string[]).map(dayOfRun);
        const ages = g.ages as unknown as string[];
        const ok = lifecycles.length === 1 && lifecycles[0] === w.lifecycle && first.length === 1 && first[0] === w.first_seen_day && ages.length === 1 && ages[0] === w.age_runs;
        return ok ? [] : [{ day: day.day, key: g.key, field: g.field, got: { lifecycles, first, ages }, want: w }];
      });
      expect(wrong).toEqual([]);
      const counts = runs[i]!.lifecycle;
      const byLabel = (label: string): number => want.filter((w) => w.lifecycle === label).length;
      if (i > 0) expect(byLabel('CARRIED') + byLabel('CHANGED')).toBeGreaterThan(0);
      expect(counts.new + counts.carried + counts.changed).toBe(runs[i]!.breaks.total);
    }
    // Every label occurs somewhere in the series.
    const labels = new Set((await rows(`SELECT DISTINCT lifecycle FROM ${csv(join(root, 'out', 'day-*', 'breaks.csv'))}`)).map((r) => r.lifecycle));
    expect([...labels].sort()).toEqual(['CARRIED', 'CHANGED', 'NEW']);
  });

  it('ages breaks in days by the as-of dates', async () => {
    const last = join(root, 'out', `day-${days.length}`, 'breaks.csv');
    const ages = await rows(`SELECT DISTINCT first_seen, age_days FROM ${csv(last)}`);
    for (const a of ages) {
      const first = days[Number(dayOfRun(a.first_seen!)) - 1]!.asOf;
      const want = (Date.parse(days.at(-1)!.asOf) - Date.parse(first)) / 86_400_000;
      expect(Number(a.age_days)).toBe(want);
    }
  });

  it('lists the breaks of the day before that are gone, and how each ended', async () => {
    for (const [i, day] of days.entries()) {
      const got = await rows(`SELECT key, field, first_seen, last_seen, resolution FROM ${csv(join(root, 'out', `day-${day.day}`, 'resolved.csv'))} ORDER BY key, field`);
      const want = await rows(`SELECT key, field, first_seen_day, last_seen_day, resolution FROM ${csv(join(day.dir, 'resolved.csv'))} ORDER BY key, field`);
      expect(got.map((g) => [g.key, g.field, dayOfRun(g.first_seen), dayOfRun(g.last_seen), g.resolution])).toEqual(
        want.map((w) => [w.key, w.field, w.first_seen_day, w.last_seen_day, w.resolution]),
      );
      expect(runs[i]!.lifecycle.resolved).toBe(want.length);
      if (i > 0) expect(want.length).toBeGreaterThan(0);
    }
  });

  it('keeps the decision and the reason of a carried break, and drops the decision of a changed one', async () => {
    expect(decided.carried.length).toBeGreaterThan(0);
    expect(decided.changed.length).toBeGreaterThan(0);
    expect(runs[1]!.lifecycle).toMatchObject({ decisionsCarried: decided.carried.length, decisionsDropped: decided.changed.length });
    const out = join(root, 'out', 'day-2', 'breaks.csv');
    const withDecision = await rows(`SELECT key, field, lifecycle, decision, reason FROM ${csv(out)} WHERE decision IS NOT NULL`);
    expect(withDecision).toHaveLength(decided.carried.length);
    expect(withDecision.every((r) => r.lifecycle === 'CARRIED' && r.decision === 'ACCEPTED' && r.reason === 'ROUNDING_DIFF')).toBe(true);
    // Day 3 had no decisions handed to it: nothing carries by itself.
    expect(runs[2]!.lifecycle).toMatchObject({ decisionsCarried: 0, decisionsDropped: 0 });
  });

  it('lets a carried break keep the reason the previous run gave it', async () => {
    const [mismatch] = await rows(
      `ATTACH '${runs[3]!.database}' AS d4 (READ_ONLY); ATTACH '${runs[2]!.database}' AS d3 (READ_ONLY);
       SELECT count(*) FILTER (WHERE p.reason IS DISTINCT FROM c.reason) AS differ, count(*) AS n
         FROM d4.break_memory m JOIN d4.attributions c USING (break_id) JOIN d3.attributions p ON p.break_id = m.previous_break_id
        WHERE m.lifecycle = 'CARRIED'`,
    );
    await rows('DETACH d4; DETACH d3');
    expect(Number(mismatch!.n)).toBeGreaterThan(0);
    expect(Number(mismatch!.differ)).toBe(0);
  });

  it("gives the model each break's history as features: linked, changed, age, decided, the previous reason", async () => {
    const [f] = await rows(
      `ATTACH '${runs[1]!.database}' AS d2 (READ_ONLY); ATTACH '${runs[0]!.database}' AS d1 (READ_ONLY);
       SELECT count(*) FILTER (WHERE m.lifecycle = 'NEW' AND (f.hist_linked <> 0 OR f.hist_age_runs_log <> 0)) AS new_with_history,
              count(*) FILTER (WHERE m.lifecycle <> 'NEW' AND f.hist_linked <> 1) AS linked_without,
              count(*) FILTER (WHERE m.lifecycle = 'CHANGED' AND f.hist_changed = 1) AS changed,
              count(*) FILTER (WHERE m.lifecycle = 'CHANGED') AS changed_all,
              count(*) FILTER (WHERE f.hist_changed = 1) AS flagged_changed,
              count(*) FILTER (WHERE f.hist_decided = 1) AS decided,
              count(*) FILTER (WHERE m.lifecycle <> 'NEW' AND p.status = 'AUTO' AND p.reason = 'TIMING_DIFF' AND f.hist_reason_timing_diff = 1) AS timing,
              count(*) FILTER (WHERE m.lifecycle <> 'NEW' AND p.status = 'AUTO' AND p.reason = 'TIMING_DIFF') AS timing_before
         FROM d2.break_features f JOIN d2.break_memory m USING (break_id)
         LEFT JOIN d1.attributions p ON p.break_id = m.previous_break_id`,
    );
    await rows('DETACH d2; DETACH d1');
    expect(f).toMatchObject({ new_with_history: '0', linked_without: '0' });
    expect([f!.changed, f!.flagged_changed]).toEqual([f!.changed_all, f!.changed_all]);
    expect(Number(f!.changed_all)).toBe(runs[1]!.lifecycle.changed);
    expect(Number(f!.decided)).toBe(decided.carried.length + decided.changed.length);
    expect(Number(f!.timing_before)).toBeGreaterThan(0);
    // Decided breaks take their decision's reason (ROUNDING_DIFF here), so they may not count as TIMING_DIFF.
    expect(Number(f!.timing)).toBeGreaterThanOrEqual(Number(f!.timing_before) - decided.carried.length - decided.changed.length);
  });

  it('runs unlinked, with a warning, when the previous run file cannot be read', async () => {
    const runsDir = join(root, 'ws', 'runs');
    const damaged = join(runsDir, '20000101-000000-dead00.duckdb');
    writeFileSync(damaged, 'not a DuckDB file');
    writeFileSync(join(runsDir, '20000101-000000-dead00.json'), JSON.stringify({ runId: '20000101-000000-dead00', definition: definition.name, status: 'COMPLETED', database: damaged }));
    const r = await runRecon({ aPath: days[1]!.aPath, bPath: days[1]!.bPath, definition, workspace: join(root, 'ws'), previousRunId: '20000101-000000-dead00' });
    expect(r.lifecycle).toMatchObject({ previousRunId: null, carried: 0, resolved: 0, new: r.breaks.total });
    expect(r.warnings.a.join('\n')).toMatch(/previous run 20000101-000000-dead00 could not be read/);
  });

  it('starts a new series with --previous none, and refuses a previous run that is not there', async () => {
    const alone = await runRecon({ aPath: days[1]!.aPath, bPath: days[1]!.bPath, definition, workspace: join(root, 'ws'), previousRunId: null });
    expect(alone.lifecycle).toMatchObject({ previousRunId: null, carried: 0, changed: 0, resolved: 0 });
    await expect(
      runRecon({ aPath: days[1]!.aPath, bPath: days[1]!.bPath, definition, workspace: join(root, 'ws'), previousRunId: '20990101-000000-zzzzzz' }),
    ).rejects.toMatchObject({ code: 'RUN_NOT_FOUND' });
  });
});
