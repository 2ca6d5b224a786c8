import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openDuckDB, queryRows, type OpenDuckDB } from '../duckdb/open.ts';
import { attributeBreaks, decide } from './attribute.ts';
import { writeBreakRows, type BreakRow } from './break-rows.ts';
import { explainBreaks } from './explain.ts';
import { FEATURES } from './features.ts';
import { BASELINE_MODEL_PATH } from './model-store.ts';
import { ReasonModel } from './model.ts';

const m = (breakId: number, fieldType: string, valueA: string, valueB: string, delta: string | null, field: string): BreakRow => ({
  breakId,
  key: `K${breakId}`,
  field,
  diffType: 'MISMATCH',
  valueA,
  valueB,
  delta,
  fieldType,
});

const BREAKS: BreakRow[] = [
  m(1, 'decimal', '1000.00', '1000000.00', '999000.00', 'amount'),
  m(2, 'decimal', '100.00', '-100.00', '-200.00', 'amount'),
  m(3, 'string', 'BUY', 'SELL', null, 'direction'),
  m(4, 'date', '2024-06-28', '2024-07-01', '3', 'value_date'),
  m(5, 'string', 'ACME CORPORATION', 'ACME CORP', null, 'party'),
  m(6, 'decimal', '2500.00', '2712.50', '212.50', 'amount'),
  m(7, 'decimal', '7493.1300', '7493.1301', '0.0001', 'px'),
  { breakId: 8, key: 'K8', field: '*', diffType: 'MISSING_IN_A', valueA: null, valueB: null, fieldType: null },
  { breakId: 9, key: 'K9', field: '*', diffType: 'MISSING_IN_B', valueA: null, valueB: null, fieldType: null },
  { breakId: 10, key: 'K10', field: '*', diffType: 'DUPLICATE_KEY', side: 'a', valueA: null, valueB: null, fieldType: null },
  { breakId: 11, key: 'K10', field: '*', diffType: 'DUPLICATE_KEY', side: 'a', valueA: null, valueB: null, fieldType: null },
];
const EXPECTED = ['SCALE_DIFF', 'SIGN_FLIP', 'SIGN_FLIP', 'TIMING_DIFF', 'STATIC_DATA', 'FX_DIFF', 'ROUNDING_DIFF', 'MISSING_IN_A', 'MISSING_IN_B', 'DUPLICATE_KEY', 'DUPLICATE_KEY'];

interface Row {
  break_id: string;
  reason: string;
  confidence: number;
  status: string;
  suggested_reason: string | null;
  top_features: string | null;
}

let model: ReasonModel;
let db: OpenDuckDB;
beforeAll(async () => {
  model = await ReasonModel.load(BASELINE_MODEL_PATH);
});
beforeEach(async () => {
  db = await openDuckDB({ path: ':memory:' });
  await writeBreakRows(db.connection, 'breaks', BREAKS);
});
afterEach(() => db.close());

const read = (): Promise<Row[]> => queryRows<Row>(db.connection, 'SELECT * FROM attributions ORDER BY break_id');

describe('threshold rule', () => {
  it('is AUTO at or above the threshold, else UNKNOWN with the guess as suggestion', () => {
    expect(decide('FX_DIFF', 0.9, 0.9)).toEqual({ reason: 'FX_DIFF', confidence: 0.9, status: 'AUTO', suggested: null });
    expect(decide('FX_DIFF', 0.89, 0.9)).toEqual({ reason: 'UNKNOWN', confidence: 0.89, status: 'REVIEW', suggested: 'FX_DIFF' });
    expect(decide('UNKNOWN', 1, 0.9)).toEqual({ reason: 'UNKNOWN', confidence: 1, status: 'REVIEW', suggested: null });
  });
});

describe('attributeBreaks', () => {
  it('attributes every break with the baseline model; structural breaks by their diff type', async () => {
    const s = await attributeBreaks(db.connection, { model, threshold: 0.5, fx: { EURUSD: '1.0850' } });
    const rows = await read();
    expect(rows.map((r) => r.reason)).toEqual(EXPECTED);
    expect(rows.every((r) => r.status === 'AUTO' && r.suggested_reason === null)).toBe(true);
    for (const r of rows.slice(7)) expect(r.confidence).toBe(1);
    expect(s).toMatchObject({ total: 11, byStatus: { AUTO: 11, REVIEW: 0 }, unknownRate: 0, modelVersion: model.version, threshold: 0.5 });
    expect(s.byReason).toMatchObject({ SIGN_FLIP: 2, DUPLICATE_KEY: 2, MISSING_IN_A: 1 });
  });

  it('sends breaks below the threshold to REVIEW as UNKNOWN, keeping the guess and explaining it', async () => {
    const first = await attributeBreaks(db.connection, { model, threshold: 0.5, fx: { EURUSD: '1.0850' } });
    expect(first.total).toBe(11);
    const s = await attributeBreaks(db.connection, { model, threshold: 1, fx: { EURUSD: '1.0850' } });
    const rows = await read();
    const review = rows.filter((r) => r.status === 'REVIEW');
    expect(review.length).toBeGreaterThan(0);
    for (const r of review) {
      expect(r.reason).toBe('UNKNOWN');
      expect(r.suggested_reason).toBe(EXPECTED[Number(r.break_id) - 1]);
      const top = JSON.parse(r.top_features!) as { feature: string; contribution: number; pathShare: number }[];
      expect(top.length).toBeGreaterThan(0);
      expect(top.length).toBeLessThanOrEqual(3);
      for (const t of top) expect(FEATURES.map((f) => f.name)).toContain(t.feature);
    }
    for (const r of rows.filter((x) => x.status === 'AUTO')) expect(r.confidence).toBe(1);
    expect(s.byStatus.REVIEW).toBe(review.length);
    expect(s.unknownRate).toBeCloseTo(review.length / 11, 12);
    expect(s.explained).toBe(review.length);
  });

  it('gives the same result whatever the batch size', async () => {
    await attributeBreaks(db.connection, { model, threshold: 0.9 });
    const whole = await read();
    await attributeBreaks(db.connection, { model, threshold: 0.9, batchRows: 3 });
    expect(await read()).toEqual(whole);
  });

  it('explains any MISMATCH break on demand', async () => {
    await attributeBreaks(db.connection, { model, threshold: 0.5 });
    const e = await explainBreaks(db.connection, model, [1, 3, 8, 999]);
    expect([...e.keys()].sort()).toEqual([1, 3]);
    expect(e.get(1)!.length).toBeGreaterThan(0);
  });

  it('handles a run without breaks', async () => {
    await writeBreakRows(db.connection, 'breaks', []);
    const s = await attributeBreaks(db.connection, { model, threshold: 0.9 });
    expect(s).toMatchObject({ total: 0, byReason: {}, byStatus: { AUTO: 0, REVIEW: 0 }, unknownRate: 0 });
  });
});
