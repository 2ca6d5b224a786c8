/**
 * Real runs for report tests: files reconciled by runRecon into a temp
 * workspace, registered in its workflow store (so decisions and audit events
 * work), plus a reader for the CSV the exports write.
 */
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { definitionSchema, type DefinitionInput } from '../../definition/schema.ts';
import { openDuckDB, queryRows } from '../../duckdb/open.ts';
import { generateExtracts } from '../../generate/generate-extracts.ts';
import { generateSeries, type SeriesDay } from '../../generate/series.ts';
import { RUN_TABLES } from '../../run-file/schema.ts';
import { runRecon } from '../../run/run-recon.ts';
import type { RunSummary } from '../../contract/index.ts';
import { openStore, type Store } from '../../store/open.ts';
import { ADA, seedUsers } from '../../workflow/testing/fixtures.ts';
import { decisionsInForce, type CarriedDecision } from '../../workflow/carry.ts';
import { recordRunCompleted, recordRunStarted } from '../../workflow/runs.ts';

export interface FixtureRun {
  workspace: string;
  runId: string;
  aPath: string;
  bPath: string;
  summary: RunSummary;
  store: Store;
}

/** Reconciles A and B under `def` in a fresh workspace and registers the run (users: ada, alice, bob, carol). */
export async function registeredRun(aPath: string, bPath: string, def: DefinitionInput, runId: string): Promise<FixtureRun> {
  const workspace = mkdtempSync(join(tmpdir(), 'recon-report-'));
  const definition = definitionSchema.parse(def);
  const summary = await runRecon({ aPath, bPath, definition, workspace, runId });
  const store = openStore(workspace);
  seedUsers(store);
  recordRunStarted(store, ADA, { runId, definition, duckdbPath: summary.database, inputs: { a: { path: aPath, sha256: summary.inputs.a.sha256 }, b: { path: bPath, sha256: summary.inputs.b.sha256 } } });
  recordRunCompleted(store, ADA, runId, summary);
  return { workspace, runId, aPath, bPath, summary, store };
}

/** A run on generated trade extracts (every kind of break). */
export async function generatedRun(rows: number, seed: number): Promise<FixtureRun> {
  const dir = mkdtempSync(join(tmpdir(), 'recon-report-gen-'));
  const g = await generateExtracts({ rows, outDir: dir, seed });
  const def = JSON.parse(readFileSync(g.definitionPath, 'utf8')) as DefinitionInput;
  return registeredRun(g.aPath, g.bPath, def, `gen-${seed}`);
}

/** Formula payloads (OWASP) as keys, values, a column name and the definition's name. */
export const HOSTILE_NAME = '<script>alert("name")</script> & co';
export const HOSTILE_COLUMN = '<img src=x onerror=alert(1)>';

/** A run whose keys and values try formula injection and markup injection. */
export async function hostileRun(): Promise<FixtureRun> {
  const dir = mkdtempSync(join(tmpdir(), 'recon-report-hostile-'));
  const q = (s: string): string => `"${s.replaceAll('"', '""')}"`;
  const a = [
    `id,amount,note,${q(HOSTILE_COLUMN)}`,
    `${q("=cmd|' /C calc'!A0")},10.00,${q('=HYPERLINK("http://evil.example","x")')},ok`,
    `+1,20.00,${q('@SUM(1+1)')},ok`,
    `-2,30.00,${q('-1+1')},ok`,
    `@x,40.00,plain,ok`,
    `safe,60.00,${q('\r=1+1')},ok`,
    `num,-70.50,n,ok`,
  ];
  const b = [
    `id,amount,note,${q(HOSTILE_COLUMN)}`,
    `${q("=cmd|' /C calc'!A0")},10.00,${q('+2+3')},ok`,
    `+1,15.00,${q('@SUM(1+1)')},ok`,
    `-2,30.00,${q('=1+1')},changed`,
    `safe,60.00,${q('\t=2+2')},ok`,
    `num,-70.75,n,ok`,
    `${q('=SUM(A1:A9)')},1.00,x,ok`,
  ];
  const aPath = join(dir, 'a.csv');
  const bPath = join(dir, 'b.csv');
  writeFileSync(aPath, `${a.join('\n')}\n`);
  writeFileSync(bPath, `${b.join('\n')}\n`);
  const def: DefinitionInput = {
    name: HOSTILE_NAME,
    key: ['id'],
    fields: [{ name: 'id' }, { name: 'amount', type: 'decimal', scale: 2 }, { name: 'note', trim: false }, { name: HOSTILE_COLUMN }],
  };
  return registeredRun(aPath, bPath, def, 'hostile');
}

/** RFC 4180 rows of CSV text with the given delimiter (quotes may hold delimiters and line breaks). */
export function parseCsv(text: string, delimiter = ','): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === delimiter) {
      row.push(cell);
      cell = '';
    } else if (ch === '\n' || (ch === '\r' && text[i + 1] === '\n')) {
      if (ch === '\r') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += ch;
  }
  if (cell !== '' || row.length > 0) rows.push([...row, cell]);
  return rows;
}

/** One day's run of a generated series, registered like a host registers it. */
export interface SeriesRun {
  day: SeriesDay;
  runId: string;
  summary: RunSummary;
}

/**
 * A generated daily series run day by day into one workspace, as the hosts
 * run it (engine/host/registered-run.ts): each run linked to the day before,
 * handed the decisions in force on it, and completed with the carries in the
 * workflow store. `between(i, runs)` runs after day i+1, before the next day
 * (to decide on its breaks).
 */
export async function seriesRuns(opts: {
  rows: number;
  days: number;
  seed: number;
  breakRate?: number;
  between?: (store: Store, done: readonly SeriesRun[]) => Promise<void>;
}): Promise<{ workspace: string; store: Store; runs: SeriesRun[] }> {
  const root = mkdtempSync(join(tmpdir(), 'recon-report-series-'));
  const workspace = join(root, 'ws');
  const series = await generateSeries({ rows: opts.rows, days: opts.days, outDir: join(root, 'data'), seed: opts.seed, ...(opts.breakRate ? { breakRate: opts.breakRate } : {}) });
  const definition = definitionSchema.parse(JSON.parse(readFileSync(series.definitionPath, 'utf8')));
  const store = openStore(workspace);
  seedUsers(store);
  const runs: SeriesRun[] = [];
  for (const day of series.days) {
    const runId = `day-${day.day}`;
    const previousRunId = runs.at(-1)?.runId ?? null;
    const previousDecisions = previousRunId === null ? [] : store.read((tx) => decisionsInForce(tx, previousRunId));
    let carry: { fromRunId: string; carried: CarriedDecision[] } | undefined;
    const summary = await runRecon(
      { aPath: day.aPath, bPath: day.bPath, definition, workspace, runId, asOf: day.asOf, previousRunId, previousDecisions },
      { onCarried: (fromRunId, carried) => (carry = { fromRunId, carried }) },
    );
    recordRunStarted(store, ADA, { runId, definition, duckdbPath: summary.database, inputs: { a: { path: day.aPath, sha256: summary.inputs.a.sha256 }, b: { path: day.bPath, sha256: summary.inputs.b.sha256 } } });
    recordRunCompleted(store, ADA, runId, summary, carry);
    runs.push({ day, runId, summary });
    if (day.day < series.days.length) await opts.between?.(store, runs);
  }
  return { workspace, store, runs };
}

/** A copy of a run as made before break memory: its file without the series tables, its summary without `lifecycle`. */
export async function withoutMemory(fixture: { workspace: string; runId: string }, runId: string): Promise<void> {
  const from = join(fixture.workspace, 'runs', `${fixture.runId}.duckdb`);
  const to = join(fixture.workspace, 'runs', `${runId}.duckdb`);
  copyFileSync(from, to);
  const db = await openDuckDB({ path: to });
  try {
    const c = db.connection;
    for (const t of [RUN_TABLES.seriesInfo, RUN_TABLES.breakMemory, RUN_TABLES.resolvedBreaks, RUN_TABLES.carriedDecisions]) await c.run(`DROP TABLE IF EXISTS ${t}`);
    const [info] = await queryRows<{ summary: string }>(c, `SELECT summary FROM ${RUN_TABLES.runInfo}`);
    const summary = JSON.parse(info!.summary) as Record<string, unknown>;
    delete summary['lifecycle'];
    await c.run(`UPDATE ${RUN_TABLES.runInfo} SET summary = $1`, [JSON.stringify(summary)]);
  } finally {
    db.close();
  }
}
