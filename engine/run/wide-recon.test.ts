import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { definitionSchema, type DefinitionInput } from '../definition/schema.ts';
import { openDuckDB, queryRows } from '../duckdb/open.ts';
import { runRecon } from './run-recon.ts';
import type { RunSummary } from '../contract/index.ts';
import { writeWidePair, type WidePair } from './testing/wide-files.ts';

/**
 * A wide pair (3,000 columns of decimals, text, dates and integers, a few
 * hundred records) reconciles end to end with exactly the planted breaks,
 * both ways users write the definition: every field listed and typed, and
 * only the key with compareUnlisted. Staged one column per field, such a
 * pair took minutes; normalize/wide.ts stages it in long form.
 */

const COLUMNS = 3000;
const ROWS = 200;

let dir: string;
let pair: WidePair;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'recon-wide-'));
  pair = writeWidePair(join(dir, 'files'), COLUMNS, ROWS);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface BreakRow {
  key: string;
  field: string;
  diff_type: string;
  value_a: string | null;
  value_b: string | null;
}

async function run(def: DefinitionInput, name: string): Promise<{ summary: RunSummary; breaks: BreakRow[]; columns: string[]; record: Record<string, unknown> }> {
  const summary = await runRecon({ aPath: pair.aPath, bPath: pair.bPath, definition: definitionSchema.parse(def), workspace: join(dir, name) });
  const db = await openDuckDB({ path: summary.database, readOnly: true });
  try {
    const breaks = await queryRows<BreakRow>(db.connection, 'SELECT key, field, diff_type, value_a, value_b FROM breaks ORDER BY break_id');
    const columns = (
      await queryRows<{ column_name: string }>(
        db.connection,
        `SELECT column_name FROM duckdb_columns() WHERE table_name = 'a' AND NOT starts_with(column_name, '__') ORDER BY column_index`,
      )
    ).map((r) => r.column_name);
    // The record view reads one whole record of the wide view, as breaks.detail does.
    const first = breaks.find((b) => b.diff_type === 'MISMATCH')!;
    const [record] = await queryRows<Record<string, unknown>>(
      db.connection,
      `SELECT * EXCLUDE (__raw) FROM a WHERE __rid = (SELECT rid_a FROM breaks WHERE key = $1 AND field = $2)`,
      [first.key, first.field],
    );
    return { summary, breaks, columns, record: record! };
  } finally {
    db.close();
  }
}

describe.each([
  ['every field listed and typed', 'listed'],
  ['only the key, compareUnlisted', 'unlisted'],
] as const)(`a ${COLUMNS}-column pair, %s`, (_label, which) => {
  let result: Awaited<ReturnType<typeof run>>;
  beforeAll(async () => {
    result = await run(which === 'listed' ? pair.listed : pair.unlisted, which);
  }, 120_000);

  it('finds exactly the planted breaks, in key and field order', () => {
    expect(result.breaks.length).toBe(pair.expected.length);
    const order = new Map(pair.columns.map((c, i) => [c, i]));
    const sorted = [...pair.expected].sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : (order.get(x.field) ?? -1) - (order.get(y.field) ?? -1)));
    expect(result.breaks).toEqual(sorted);
  });

  it('has counts that add up and passes every check', () => {
    const mismatched = new Set(pair.expected.filter((e) => e.diff_type === 'MISMATCH').map((e) => e.key)).size;
    expect(result.summary.counts).toMatchObject({
      a: ROWS,
      b: ROWS,
      matched: ROWS - 1,
      matchedWithBreaks: mismatched,
      matchedExact: ROWS - 1 - mismatched,
      matchedWithinTolerance: 0,
      missingInA: 1,
      missingInB: 1,
      rejectedA: 0,
      rejectedB: 0,
      duplicateKeysA: 0,
      duplicateKeysB: 0,
    });
    expect(result.summary.breaks.byType).toEqual({ MISMATCH: pair.expected.length - 2, MISSING_IN_A: 1, MISSING_IN_B: 1 });
    expect(result.summary.checks.filter((c) => !c.passed)).toEqual([]);
    const decimals = pair.types.filter((t) => t === 'decimal').length;
    expect(result.summary.checks.filter((c) => c.type === 'AMOUNT_TOTAL').length).toBe(which === 'listed' ? 2 * decimals : 0);
  });

  it('keeps every field in the run file, under its name and type, for the record view', () => {
    expect(result.columns).toEqual(pair.columns);
    const b = result.breaks.find((x) => x.diff_type === 'MISMATCH')!;
    expect(result.record['id']).toBe(b.key);
    expect(String(result.record[b.field])).toBe(b.value_a);
  });
});
