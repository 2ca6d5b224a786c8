import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDefinitionFile } from '../definition/load.ts';
import type { Definition } from '../definition/schema.ts';
import { openDuckDB, queryRows } from '../duckdb/open.ts';
import { ReconError } from '../errors/recon-error.ts';
import { generateExtracts, type GenerateResult } from '../generate/generate-extracts.ts';
import type { ProgressEvent } from './progress.ts';
import { runRecon } from './run-recon.ts';
import type { RunSummary } from '../contract/index.ts';

/**
 * A whole run on generated extracts (3,000 trades with injected breaks of
 * every kind): the breaks found are exactly the injected ones, the counts
 * add up, and the outputs have the shape the issue asks for.
 */

/** RFC 4180 rows of a CSV text (quoted fields may hold commas, quotes and line breaks). */
function parseCsv(text: string): string[][] {
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
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else if (ch !== '\r') cell += ch;
  }
  if (cell !== '' || row.length > 0) rows.push([...row, cell]);
  return rows;
}

const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

interface BreakRow {
  key: string;
  field: string;
  value_a: string | null;
  value_b: string | null;
  diff_type: string;
  side: string | null;
}

let dir: string;
let gen: GenerateResult;
let definition: Definition;
let summary: RunSummary;
let progress: ProgressEvent[];
let breaks: BreakRow[];
let truth: { key: string; field: string; diff_type: string; reason: string; side: string }[];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'recon-run-'));
  gen = await generateExtracts({ rows: 3000, outDir: join(dir, 'gen'), seed: 20261122 });
  definition = await loadDefinitionFile(gen.definitionPath);
  progress = [];
  summary = await runRecon(
    { aPath: gen.aPath, bPath: gen.bPath, definition, workspace: join(dir, 'ws'), outDir: join(dir, 'out') },
    { onProgress: (e) => progress.push(e) },
  );
  const db = await openDuckDB({ path: summary.database });
  try {
    breaks = await queryRows<BreakRow>(db.connection, 'SELECT key, field, value_a, value_b, diff_type, side FROM breaks ORDER BY break_id');
  } finally {
    db.close();
  }
  const [header, ...rows] = parseCsv(readFileSync(gen.truthPath, 'utf8'));
  expect(header).toEqual(['key', 'field', 'diff_type', 'reason', 'side']);
  truth = rows.map(([key, field, diff_type, reason, side]) => ({ key: key!, field: field!, diff_type: diff_type!, reason: reason!, side: side! }));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('runRecon on generated extracts', () => {
  it('finds exactly the injected breaks', () => {
    const triple = (b: { key: string; field: string; diff_type: string }): string => `${b.key}|${b.field}|${b.diff_type}`;
    expect(new Set(breaks.map(triple))).toEqual(new Set(truth.map(triple)));
    // Every kind was injected, so the comparison above covers each one.
    expect(new Set(truth.map((t) => t.diff_type))).toEqual(new Set(['MISMATCH', 'MISSING_IN_A', 'MISSING_IN_B', 'DUPLICATE_KEY']));
    // Every row of a duplicated key is a DUPLICATE_KEY break with its side: the two
    // rows of the side that duplicates it and the other side's single row.
    const dups = truth.filter((t) => t.diff_type === 'DUPLICATE_KEY');
    const dupRows = breaks.filter((b) => b.diff_type === 'DUPLICATE_KEY').map((b) => `${b.key}|${b.side}`);
    expect(dupRows.sort()).toEqual(dups.flatMap((t) => [`${t.key}|${t.side}`, `${t.key}|${t.side}`, `${t.key}|${t.side === 'a' ? 'b' : 'a'}`]).sort());
  });

  it('has counts that add up', () => {
    const c = summary.counts;
    const dupA = truth.filter((t) => t.diff_type === 'DUPLICATE_KEY' && t.side === 'a').length;
    const dupB = truth.filter((t) => t.diff_type === 'DUPLICATE_KEY' && t.side === 'b').length;
    const count = (type: string): number => truth.filter((t) => t.diff_type === type).length;
    const mismatchedKeys = new Set(truth.filter((t) => t.diff_type === 'MISMATCH').map((t) => t.key)).size;

    expect(c).toMatchObject({
      a: gen.rowsA,
      b: gen.rowsB,
      rejectedA: 0,
      rejectedB: 0,
      missingInA: count('MISSING_IN_A'),
      missingInB: count('MISSING_IN_B'),
      duplicateKeysA: dupA,
      duplicateKeysB: dupB,
      duplicateRowsA: 2 * dupA + dupB,
      duplicateRowsB: dupA + 2 * dupB,
      matchedWithBreaks: mismatchedKeys,
    });
    expect(c.matched).toBe(c.matchedExact + c.matchedWithinTolerance + c.matchedWithBreaks);
    // A duplicated on A has two A rows and one B row, and the other way round.
    expect(c.a).toBe(c.matched + c.missingInB + 2 * dupA + dupB);
    expect(c.b).toBe(c.matched + c.missingInA + dupA + 2 * dupB);

    const b = summary.breaks;
    expect(b.total).toBe(breaks.length);
    expect(Object.values(b.byType).reduce((s, n) => s + n, 0)).toBe(b.total);
    expect(Object.values(b.byField).reduce((s, n) => s + n, 0)).toBe(b.total);
    expect(b.byType).toEqual({
      MISMATCH: count('MISMATCH'),
      MISSING_IN_A: c.missingInA,
      MISSING_IN_B: c.missingInB,
      DUPLICATE_KEY: 3 * (dupA + dupB),
    });
    expect(b.byField['*']).toBe(c.missingInA + c.missingInB + 3 * (dupA + dupB));
  });

  it('passes every integrity check except key uniqueness where duplicates were injected', () => {
    const failed = summary.checks.filter((x) => !x.passed).map((x) => x.name);
    const expected = [
      ...(summary.counts.duplicateKeysA > 0 ? ['key_unique_a'] : []),
      ...(summary.counts.duplicateKeysB > 0 ? ['key_unique_b'] : []),
    ];
    expect(expected).not.toEqual([]);
    expect(failed.sort()).toEqual(expected);
    expect(summary.checksPassed).toBe(false);
    const types = new Set(summary.checks.map((x) => x.type));
    expect(types).toEqual(new Set(['COUNT', 'UNIQUENESS', 'AMOUNT_TOTAL', 'HASH']));
    for (const x of summary.checks) {
      expect(x).toEqual({
        name: expect.any(String),
        type: expect.any(String),
        side: expect.stringMatching(/^[ab]$/),
        expected: expect.any(String),
        actual: expect.any(String),
        passed: expect.any(Boolean),
        discrepancy: x.type === 'HASH' ? null : expect.any(String),
        message: expect.any(String),
      });
    }
    const unique = summary.checks.find((x) => x.name === 'key_unique_a')!;
    expect(unique.actual).toBe(String(2 * summary.counts.duplicateKeysA));
  });

  it('writes breaks.csv with one row per break', () => {
    const [header, ...rows] = parseCsv(readFileSync(join(dir, 'out', 'breaks.csv'), 'utf8'));
    expect(header).toEqual(['key', 'field', 'value_a', 'value_b', 'diff_type', 'reason', 'confidence', 'status', 'suggested_reason', 'lifecycle', 'first_seen', 'age_runs', 'age_days', 'decision', 'side']);
    // DuckDB writes NULL as an empty field.
    expect(rows.map((r) => r.slice(0, 5))).toEqual(breaks.map((b) => [b.key, b.field, b.value_a ?? '', b.value_b ?? '', b.diff_type]));
    const missing = rows.find((r) => r[4] === 'MISSING_IN_B')!;
    expect(missing[1]).toBe('*');
    // Attribution columns: a reason and a status on every row, confidence in 0..1.
    for (const r of rows) {
      expect(['AUTO', 'REVIEW']).toContain(r[7]);
      expect(r[5]).toMatch(/^[A-Z_]+$/);
      expect(Number(r[6])).toBeGreaterThanOrEqual(0);
      expect(Number(r[6])).toBeLessThanOrEqual(1);
      if (r[7] === 'REVIEW') expect(r[5]).toBe('UNKNOWN');
    }
    expect(missing.slice(5, 8)).toEqual(['MISSING_IN_B', '1.0', 'AUTO']);
  });

  it('writes summary.json with the run, its inputs, counts, breaks, checks and timings', () => {
    const json = JSON.parse(readFileSync(join(dir, 'out', 'summary.json'), 'utf8')) as RunSummary;
    expect(json.runId).toBe(summary.runId);
    expect(json.runId).toMatch(/^\d{8}-\d{6}-[0-9a-f]{6}$/);
    for (const [side, path] of [
      ['a', gen.aPath],
      ['b', gen.bPath],
    ] as const) {
      expect(json.inputs[side]).toEqual({ path, bytes: statSync(path).size, sha256: sha256(path), format: 'csv' });
    }
    expect(Object.keys(json.counts)).toEqual(
      expect.arrayContaining(['a', 'b', 'matched', 'matchedWithinTolerance', 'missingInA', 'missingInB', 'duplicateKeysA', 'duplicateKeysB', 'rejectedA', 'rejectedB']),
    );
    expect(json.counts).toEqual(summary.counts);
    expect(json.breaks).toEqual(summary.breaks);
    expect(json.checks).toEqual(summary.checks);
    // "write" is timed around writing summary.json itself, so only runs/<id>.json has it.
    for (const stage of ['prepare', 'ingestA', 'ingestB', 'normalize', 'diff', 'checks']) {
      expect(json.timings[stage], stage).toEqual(expect.any(Number));
      expect(json.timings[stage]).toBeGreaterThanOrEqual(0);
    }
    expect(existsSync(summary.database)).toBe(true);
    expect(summary.database).toBe(join(dir, 'ws', 'runs', `${summary.runId}.duckdb`));
  });

  it('reports progress in stage order with a rising overall fraction that ends at 1', () => {
    expect(progress.length).toBeGreaterThan(5);
    const order = ['prepare', 'ingest-a', 'ingest-b', 'normalize', 'diff', 'checks', 'attribute', 'write'];
    const stages = progress.map((e) => order.indexOf(e.stage));
    expect(stages.every((s) => s >= 0)).toBe(true);
    expect([...new Set(progress.map((e) => e.stage))]).toEqual(order);
    for (let i = 1; i < progress.length; i++) {
      expect(stages[i]!, `event ${i}`).toBeGreaterThanOrEqual(stages[i - 1]!);
      expect(progress[i]!.overall, `event ${i}: ${JSON.stringify(progress[i])}`).toBeGreaterThanOrEqual(progress[i - 1]!.overall);
    }
    expect(progress.at(-1)!.overall).toBe(1);
  });
});

describe('cancelling a run', () => {
  async function cancelled(abortWhen: (e: ProgressEvent) => boolean): Promise<{ err: unknown; runs: string[] }> {
    const ws = join(dir, `cancel-${Math.random().toString(36).slice(2)}`);
    const ac = new AbortController();
    if (abortWhen({ stage: 'prepare', label: '', rowsDone: 0, rowsTotal: undefined, overall: -1 })) ac.abort();
    const err = await runRecon(
      { aPath: gen.aPath, bPath: gen.bPath, definition, workspace: ws },
      { signal: ac.signal, onProgress: (e) => abortWhen(e) && ac.abort() },
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    return { err, runs: readdirSync(join(ws, 'runs')) };
  }

  it('stops with RUN_CANCELLED and leaves no run database when aborted before it starts', async () => {
    const { err, runs } = await cancelled((e) => e.overall < 0);
    expect(err).toBeInstanceOf(ReconError);
    expect((err as ReconError).code).toBe('RUN_CANCELLED');
    expect(runs).toEqual([]);
  });

  it.each(['ingest-a', 'normalize', 'diff'] as const)('stops with RUN_CANCELLED and leaves no run database when aborted during %s', async (stage) => {
    const { err, runs } = await cancelled((e) => e.stage === stage);
    expect(err).toBeInstanceOf(ReconError);
    expect((err as ReconError).code).toBe('RUN_CANCELLED');
    expect(runs).toEqual([]);
  });
});
