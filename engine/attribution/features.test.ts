import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDuckDB, type OpenDuckDB } from '../duckdb/open.ts';
import { writeBreakRows, type BreakRow } from './break-rows.ts';
import { computeBreakFeatures } from './feature-sql.ts';
import { FEATURES } from './features.ts';
import { fxRatios } from './fx-rates.ts';

const mismatch = (breakId: number, fieldType: string, valueA: string | null, valueB: string | null, delta: string | null = null, field = `f_${fieldType}`): BreakRow => ({
  breakId,
  key: `K${breakId}`,
  field,
  diffType: 'MISMATCH',
  valueA,
  valueB,
  delta,
  fieldType,
});

let db: OpenDuckDB;
beforeEach(async () => {
  db = await openDuckDB({ path: ':memory:' });
});
afterEach(() => db.close());

/** Features of the given breaks, by break id. */
async function features(rows: BreakRow[], opts: Parameters<typeof computeBreakFeatures>[1] = {}): Promise<Map<number, Record<string, number>>> {
  await writeBreakRows(db.connection, 'breaks', rows);
  await computeBreakFeatures(db.connection, opts);
  const out = (await db.connection.runAndReadAll('SELECT * FROM break_features ORDER BY break_id')).getRowObjects();
  return new Map(out.map((r) => [Number(r['break_id']), Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Number(v)]))]));
}

describe('break features', () => {
  it('documents every feature once, one line each', () => {
    const names = FEATURES.map((f) => f.name);
    expect(new Set(names).size).toBe(names.length);
    for (const f of FEATURES) expect(f.description).toMatch(/^[^\n]{10,}$/);
  });

  it('computes one row of finite numbers per break, for every field type and diff type', async () => {
    const f = await features([
      mismatch(1, 'decimal', '1.50', null, null),
      mismatch(2, 'date', 'x', '2024-01-01'),
      mismatch(3, 'boolean', 'true', 'false'),
      mismatch(4, 'timestamp', '2024-06-28 10:00:00', '2024-06-28 12:00:00', '7200.0'),
      { breakId: 5, key: 'K5', field: '*', diffType: 'DUPLICATE_KEY', side: 'b', valueA: null, valueB: null, fieldType: null },
      mismatch(6, 'decimal', '0.00', '5.00', '5.00'),
    ]);
    expect(f.size).toBe(6);
    for (const row of f.values()) {
      expect(Object.keys(row)).toHaveLength(FEATURES.length + 1);
      for (const v of Object.values(row)) expect(Number.isFinite(v)).toBe(true);
    }
    expect(f.get(1)).toMatchObject({ b_missing: 1, a_missing: 0 });
    expect(f.get(4)).toMatchObject({ type_timestamp: 1, whole_hours_shift: 1 });
    expect(f.get(5)).toMatchObject({ diff_duplicate_key: 1, diff_mismatch: 0 });
    expect(f.get(6)).toMatchObject({ zero_side: 1, ratio_log: 0 });
  });

  it('sees scale, sign and FX ratios', async () => {
    const f = await features(
      [
        mismatch(1, 'decimal', '1000.00', '1000000.00', '999000.00'),
        mismatch(2, 'decimal', '5047000.00', '5047.00', '-5041953.00'),
        mismatch(3, 'decimal', '100.00', '-100.00', '-200.00'),
        mismatch(4, 'decimal', '1000.00', '1085.00', '85.00'),
        mismatch(5, 'decimal', '149500.00', '1000.00', '-148500.00'),
        mismatch(6, 'decimal', '7493.1300', '7493.1301', '0.0001'),
      ],
      { fx: { EURUSD: '1.0850', USDJPY: '149.50' } },
    );
    expect(f.get(1)).toMatchObject({ near_pow10: 1, pow10_exponent: 3, near_neg1: 0, near_fx: 0 });
    expect(f.get(2)).toMatchObject({ near_pow10: 1, pow10_exponent: -3 });
    expect(f.get(3)).toMatchObject({ near_neg1: 1, ratio_negative: 1, near_pow10: 0 });
    expect(f.get(4)).toMatchObject({ near_fx: 1, fx_table: 1, near_pow10: 0 });
    expect(f.get(5)).toMatchObject({ near_fx: 1 }); // the inverse rate
    expect(f.get(6)).toMatchObject({ delta_below_1e_0: 1, delta_below_1e_3: 1, delta_below_1e_4: 0, decimals: 4, near_fx: 0 });
    expect(f.get(6)!['delta_ulps_log']).toBeCloseTo(Math.log10(2), 6);
  });

  it('has no FX signal without a table', async () => {
    const f = await features([mismatch(1, 'decimal', '1000.00', '1085.00', '85.00')]);
    expect(f.get(1)).toMatchObject({ near_fx: 0, fx_table: 0, fx_distance: 1 });
  });

  it('counts business days, weekend aware', async () => {
    const f = await features([
      mismatch(1, 'date', '2024-06-28', '2024-07-01', '3'), // Fri → Mon
      mismatch(2, 'date', '2024-06-28', '2024-06-29', '1'), // Fri → Sat
      mismatch(3, 'date', '2024-07-01', '2024-06-28', '-3'), // Mon → Fri
      mismatch(4, 'date', '2024-06-25', '2024-07-02', '7'), // Tue → Tue
    ]);
    expect(f.get(1)).toMatchObject({ day_shift: 3, bday_shift: 1, weekend_b: 0 });
    expect(f.get(2)).toMatchObject({ day_shift: 1, bday_shift: 0, weekend_b: 1 });
    expect(f.get(3)).toMatchObject({ day_shift: -3, bday_shift: -1 });
    expect(f.get(4)).toMatchObject({ bday_shift: 5 });
  });

  it('compares strings: abbreviations, case, punctuation, direction pairs, code shape', async () => {
    const f = await features([
      mismatch(1, 'string', 'ACME CORPORATION', 'ACME CORP'),
      mismatch(2, 'string', 'VANDELAY INDUSTRIES LIMITED', 'VANDELAY INDUSTRIES LTD.'),
      mismatch(3, 'string', 'Globex International', 'GLOBEX INTL'),
      mismatch(4, 'string', 'acme corp', 'ACME CORP'),
      mismatch(5, 'string', 'Müller & Söhne', 'MULLER AND SOHNE'),
      mismatch(6, 'string', 'BUY', 'SELL'),
      mismatch(7, 'string', 'US0378331005', 'US5949181045'),
      mismatch(8, 'string', 'ACME CORPORATION', 'ACNE CORPORATION'),
    ]);
    expect(f.get(1)).toMatchObject({ abbreviation: 1, alnum_equal: 0 });
    expect(f.get(2)).toMatchObject({ abbreviation: 1 });
    expect(f.get(3)).toMatchObject({ abbreviation: 1 });
    expect(f.get(4)).toMatchObject({ case_equal: 1, alnum_equal: 1 });
    expect(f.get(5)).toMatchObject({ alnum_equal: 1, case_equal: 0 });
    expect(f.get(6)).toMatchObject({ opposite_pair: 1, abbreviation: 0 });
    expect(f.get(7)).toMatchObject({ same_shape: 1, opposite_pair: 0 });
    expect(f.get(8)).toMatchObject({ abbreviation: 0 });
    expect(f.get(8)!['edit_distance']).toBeCloseTo(1 / 16, 6);
    expect(f.get(1)!['token_overlap']).toBeCloseTo(1 / 3, 6);
  });

  it('reads long texts at a bounded cost, and still sees a difference the window does not', async () => {
    // Edit distance is quadratic: a 1.5 MB note differing in its last character took hours.
    const long = 'y'.repeat(1_500_000);
    const mid = (c: string): string => 'x'.repeat(3000) + c + 'x'.repeat(3000);
    const f = await features([mismatch(1, 'string', long, long.slice(0, -1) + 'z'), mismatch(2, 'string', mid('A'), mid('B')), mismatch(3, 'string', mid('A'), mid('A') + ' ')]);
    expect(f.get(1)!['edit_distance']).toBeCloseTo(1 / 1_500_000, 12);
    expect(f.get(1)!['jaro_winkler']).toBeGreaterThan(0.99);
    expect(f.get(2)!['edit_distance']).toBeCloseTo(1 / 6001, 12);
    expect(f.get(3)!['edit_distance']).toBeCloseTo(1 / 6002, 12);
  });

  it('counts breaks sharing a field and pattern, and reads the previous run', async () => {
    // The previous run's breaks as a run reads them (series/link.ts PREVIOUS_BREAKS).
    await writeBreakRows(db.connection, 'prev_breaks', [mismatch(1, 'string', 'BUY', 'SELL', null, 'side')]);
    {
      const rows = [1, 2, 3].map((i) => mismatch(i, 'string', i === 2 ? 'SELL' : 'BUY', i === 2 ? 'BUY' : 'SELL', null, 'side'));
      const f = await features([...rows, mismatch(4, 'string', 'A', 'B', null, 'side')], { previousBreaks: 'prev_breaks' });
      expect(f.get(1)).toMatchObject({ prev_key_break: 1, prev_same_break: 1 });
      expect(f.get(2)).toMatchObject({ prev_key_break: 0 });
      // BUY↔SELL in either direction is one pattern: 2 others of 3 others in the field.
      expect(f.get(1)!['pattern_count_log']).toBeCloseTo(Math.log(3), 6);
      expect(f.get(1)!['pattern_share']).toBeCloseTo(2 / 3, 6);
      expect(f.get(4)).toMatchObject({ pattern_count_log: 0, pattern_share: 0 });
    }
  });
});

describe('FX ratios', () => {
  it('includes rates, inverses and crosses through a shared currency', () => {
    const r = fxRatios({ EURUSD: '1.0850', GBPUSD: '1.2700', bad: 'x', USDJPY: '-1' });
    const has = (v: number): boolean => r.some((x) => Math.abs(x - v) < 1e-9);
    expect(has(1.085) && has(1 / 1.085) && has(1.27) && has(1.085 / 1.27) && has(1.27 / 1.085)).toBe(true);
    expect(r).toHaveLength(6);
    expect(fxRatios(undefined)).toEqual([]);
  });
});
