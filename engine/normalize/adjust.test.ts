import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateDefinition } from '../definition/load.ts';
import type { DefinitionInput, FieldAdjust } from '../definition/schema.ts';
import { openDuckDB, queryRows } from '../duckdb/open.ts';
import { runRecon } from '../run/run-recon.ts';
import type { RunSummary } from '../contract/index.ts';

/**
 * Whole runs where B writes amounts in cents, flips a sign, counts quantities
 * in thousands and dates a calendar day or a business day late (Fridays →
 * Saturdays / Mondays): with the `adjust` rules the recon reports no breaks
 * for those fields, and the one genuine difference planted in each still is.
 */

const DAY = 86_400_000;
const iso = (t: number): string => new Date(t).toISOString().slice(0, 10);
const weekend = (t: number): boolean => [0, 6].includes(new Date(t).getUTCDay());
/** n weekdays after a weekday. */
const plusBusinessDays = (t: number, n: number): number => {
  let u = t;
  for (let left = n; left > 0; ) {
    u += DAY;
    if (!weekend(u)) left--;
  }
  return u;
};

/** Ten weekdays, 2024-06-24 (Monday) to 2024-07-05 (Friday): two Fridays. */
const DAYS = Array.from({ length: 14 }, (_, i) => Date.parse('2024-06-24T00:00:00Z') + i * DAY).filter((t) => !weekend(t));
const GENUINE = { amount: 'T03', signed: 'T04', qty: 'T05', trade_date: 'T06', settle_date: 'T07', stamp: 'T10' } as const;

function writeFiles(dir: string): { aPath: string; bPath: string } {
  const a = ['id,amount,signed,qty,trade_date,settle_date,stamp'];
  const b = ['id;amount_cents;signed;qty;trade_date;settle_date;stamp'];
  DAYS.forEach((t, i) => {
    const id = `T${String(i + 1).padStart(2, '0')}`;
    const cents = 1000 * (i + 1) + 5 * i + 7; // amount = cents / 100, e.g. 10.07
    const amount = `${Math.trunc(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
    const signed = `${100 + i}.5`;
    const qty = 7 * (i + 1);
    const date = iso(t);
    const stamp = `${date} 10:15:00`;
    a.push([id, amount, signed, qty, date, date, stamp].join(','));
    const bAmount = id === GENUINE.amount ? cents + 1 : cents;
    const bSigned = id === GENUINE.signed ? signed : `-${signed}`;
    const bQty = 1000 * qty + (id === GENUINE.qty ? 1 : 0);
    const bTrade = iso(t + (id === GENUINE.trade_date ? 2 : 1) * DAY); // a Friday's is a Saturday
    const bSettle = iso(plusBusinessDays(t, id === GENUINE.settle_date ? 2 : 1)); // a Friday's is the Monday
    const bStamp = `${iso(plusBusinessDays(t, 1))} ${id === GENUINE.stamp ? '10:16:00' : '10:15:00'}`;
    b.push([id, String(bAmount), bSigned, bQty, bTrade, bSettle, bStamp].join(';'));
  });
  const aPath = join(dir, 'a.csv');
  const bPath = join(dir, 'b.csv');
  writeFileSync(aPath, `${a.join('\n')}\n`);
  writeFileSync(bPath, `${b.join('\n')}\n`);
  return { aPath, bPath };
}

const ADJUST: Record<string, FieldAdjust> = {
  amount: { b: { multiply: '0.01' } },
  signed: { b: { multiply: '-1' } },
  qty: { a: { multiply: '1000' } },
  trade_date: { b: { shiftDays: -1 } },
  settle_date: { b: { shiftBusinessDays: -1 } },
  stamp: { b: { shiftBusinessDays: -1 } },
};

function definition(withAdjust: boolean): DefinitionInput {
  const field = (name: string, type: 'decimal' | 'integer' | 'date' | 'timestamp', extra: object = {}): NonNullable<DefinitionInput['fields']>[number] => ({
    name,
    type,
    ...extra,
    ...(withAdjust ? { adjust: ADJUST[name] } : {}),
  });
  return {
    name: withAdjust ? 'with adjust' : 'without adjust',
    key: ['id'],
    sources: { b: { delimiter: ';' } },
    fields: [
      field('amount', 'decimal', { b: 'amount_cents', scale: 2 }),
      field('signed', 'decimal', { scale: 2 }),
      field('qty', 'integer'),
      field('trade_date', 'date'),
      field('settle_date', 'date'),
      field('stamp', 'timestamp'),
    ],
  };
}

interface Break {
  key: string;
  field: string;
  diff_type: string;
  value_a: string | null;
  value_b: string | null;
  delta: string | null;
}

async function run(dir: string, files: { aPath: string; bPath: string }, def: DefinitionInput): Promise<{ summary: RunSummary; breaks: Break[]; rejects: Record<string, unknown>[] }> {
  const summary = await runRecon({ ...files, definition: validateDefinition(def), workspace: join(dir, 'ws') });
  const db = await openDuckDB({ path: summary.database, readOnly: true });
  try {
    const breaks = await queryRows<Break>(db.connection, 'SELECT key, field, diff_type, value_a, value_b, delta FROM breaks ORDER BY key, field');
    const rejects = await queryRows(db.connection, 'SELECT side, line, column_name, raw_value, reason FROM rejects ORDER BY side, line');
    return { summary, breaks, rejects };
  } finally {
    db.close();
  }
}

let dir: string;
let files: { aPath: string; bPath: string };
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'recon-adjust-'));
  files = writeFiles(dir);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('adjust rules in a run', () => {
  it('without them, every record breaks on every such field', async () => {
    const { breaks } = await run(dir, files, definition(false));
    for (const field of Object.keys(ADJUST)) {
      // The sign-flip field's planted break is the one record B did not flip.
      expect(breaks.filter((b) => b.field === field).length, field).toBeGreaterThanOrEqual(DAYS.length - 1);
    }
  });

  it('with them, only the planted genuine differences are breaks', async () => {
    const { summary, breaks, rejects } = await run(dir, files, definition(true));
    expect(rejects).toEqual([]);
    expect(breaks.map((b) => `${b.key} ${b.field}`).sort()).toEqual(Object.entries(GENUINE).map(([field, key]) => `${key} ${field}`).sort());
    expect(summary.counts).toMatchObject({ matched: DAYS.length, missingInA: 0, missingInB: 0, matchedWithBreaks: 6 });
    // Values are shown after the adjustment: B's 1028 cents as 10.28 against A's 10.27.
    const by = (field: string): Break => breaks.find((b) => b.field === field)!;
    expect(by('amount')).toMatchObject({ key: 'T03', value_a: '30.17', value_b: '30.18', delta: '0.01' });
    expect(by('signed')).toMatchObject({ value_a: '103.50', value_b: '-103.50' });
    expect(by('qty')).toMatchObject({ value_a: '35000', value_b: '35001' });
    // T06 is Monday 2024-07-01; B two calendar days later, one undone.
    expect(by('trade_date')).toMatchObject({ value_a: '2024-07-01', value_b: '2024-07-02', delta: '1' });
    // T07 is Tuesday 2024-07-02; B two business days later (Thursday), one undone.
    expect(by('settle_date')).toMatchObject({ value_a: '2024-07-02', value_b: '2024-07-03' });
    // T10 is Friday 2024-07-05: B on Monday at 10:16, back to Friday keeping the time.
    expect(by('stamp')).toMatchObject({ value_a: '2024-07-05 10:15:00', value_b: '2024-07-05 10:16:00' });
  });

  it('rejects a value whose adjusted form does not fit, quoting the raw value, and still rejects a bad cast', async () => {
    const sub = mkdtempSync(join(dir, 'reject-'));
    // 2 × 10^35 fits a HUGEINT (about 1.7 × 10^38), but not once ×1000.
    const a = ['id,amount,qty', 'R1,1.00,1', 'R2,2.00,200000000000000000000000000000000000', 'R3,3.00,3'];
    const b = ['id,amount,qty', 'R1,100,1000', 'R2,200,2000', 'R3,3x0,3000'];
    writeFileSync(join(sub, 'a.csv'), `${a.join('\n')}\n`);
    writeFileSync(join(sub, 'b.csv'), `${b.join('\n')}\n`);
    const def: DefinitionInput = {
      name: 'rejects',
      key: ['id'],
      fields: [
        { name: 'amount', type: 'decimal', scale: 2, adjust: { b: { multiply: '0.01' } } },
        { name: 'qty', type: 'integer', adjust: { a: { multiply: '1000' } } },
      ],
    };
    const { summary, breaks, rejects } = await run(sub, { aPath: join(sub, 'a.csv'), bPath: join(sub, 'b.csv') }, def);
    expect(rejects).toEqual([
      {
        side: 'a',
        line: '3',
        column_name: 'qty',
        raw_value: '200000000000000000000000000000000000',
        reason: 'multiplied by 1000 (adjust.a.multiply) it is beyond the largest whole number (about 1.7 × 10^38), got "200000000000000000000000000000000000"',
      },
      { side: 'b', line: '4', column_name: 'amount', raw_value: '3x0', reason: 'expected a decimal number with "." as decimal separator, got "3x0"' },
    ]);
    expect(summary.counts).toMatchObject({ rejectedA: 1, rejectedB: 1, matched: 1 });
    expect(summary.checks.filter((c) => c.name.startsWith('source_rows')).every((c) => c.passed)).toBe(true);
    // R2 is rejected on A and R3 on B: the other side's record is REJECTED_IN_A/B, R1 matches exactly.
    expect(breaks.map((x) => `${x.key} ${x.diff_type}`)).toEqual(['R2 REJECTED_IN_A', 'R3 REJECTED_IN_B']);
  });
});
