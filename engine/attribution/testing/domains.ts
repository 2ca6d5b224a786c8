import type { DuckDBConnection } from '@duckdb/node-api';
import { queryRows } from '../../duckdb/open.ts';
import { ident } from '../../sql/quote.ts';
import { Rng } from '../../generate/prng.ts';
import { attributeBreaks, type AttributionSummary } from '../attribute.ts';
import { writeBreakRows, type BreakRow } from '../break-rows.ts';
import { MetricsAccumulator, type ModelMetrics } from '../metrics.ts';
import type { ReasonModel } from '../model.ts';
import type { FieldTolerance } from '../rules.ts';

/**
 * Reconciliation domains the model never trained on, for honest evaluation of
 * attribution: seeded, small, with the truth of every break. Each domain is
 * two systems' records of the same things; `breaks` are what the diff writes
 * for them (decimals at the field's scale, only differences beyond the
 * field's tolerance), so attribution sees what it sees in a run.
 */
export interface Domain {
  name: string;
  /** Record columns of side A (all text, as the run's `a` view has them), with `__rid`. */
  columns: string[];
  records: string[][];
  breaks: BreakRow[];
  /** Truth per break id. */
  truth: Map<number, string>;
  tolerances: Record<string, FieldTolerance>;
}

interface Field {
  name: string;
  scale: number;
  tolerance?: FieldTolerance;
}

/** Collects breaks as the diff writes them: both values at the field's scale, only beyond the tolerance. */
class Builder {
  readonly breaks: BreakRow[] = [];
  readonly truth = new Map<number, string>();
  readonly records: string[][] = [];
  constructor(readonly fields: readonly Field[]) {}

  record(values: string[]): number {
    this.records.push(values);
    return this.records.length - 1;
  }

  /** Adds a break for A/B of a field unless within its tolerance; `reason` is the truth. */
  compare(rid: number, key: string, field: Field, a: number, b: number, reason: string): void {
    const fa = a.toFixed(field.scale);
    const fb = b.toFixed(field.scale);
    const d = Math.abs(Number(fb) - Number(fa));
    const t = field.tolerance;
    const within = d === 0 || (t?.abs !== undefined && d <= Number(t.abs)) || (t?.rel !== undefined && d <= Number(t.rel) * Math.max(Math.abs(a), Math.abs(b)));
    if (within) return;
    const breakId = this.breaks.length + 1;
    this.breaks.push({ breakId, key, field: field.name, diffType: 'MISMATCH', valueA: fa, valueB: fb, delta: (Number(fb) - Number(fa)).toFixed(field.scale), fieldType: 'decimal', ridA: rid });
    this.truth.set(breakId, reason);
  }
}

const logUniform = (rng: Rng, lo: number, hi: number): number => 10 ** (Math.log10(lo) + rng.next() * (Math.log10(hi) - Math.log10(lo)));
const sign = (rng: Rng): number => (rng.chance(0.5) ? 1 : -1);
const roundTo = (v: number, places: number): number => Math.round(v * 10 ** places) / 10 ** places;

/** Rates B reports non-USD amounts at (per 1 unit of the currency, in USD). */
const RATES: Record<string, number> = { USD: 1, EUR: 1.0843, GBP: 1.2711, JPY: 0.00668, CHF: 1.1327, AUD: 0.6612 };

/**
 * A risk-measures pair: PV per trade from two risk systems (noise of ±400
 * within an abs tolerance of 1,000; sign flips; a few large real differences),
 * notional where B converts to USD by the trade's currency (no FX table), and a
 * delta where one side reports fewer decimals.
 */
export function riskDomain(seed: number, trades = 2000): Domain {
  const rng = new Rng(seed);
  const pv: Field = { name: 'pv', scale: 2, tolerance: { abs: '1000' } };
  const notional: Field = { name: 'notional', scale: 2 };
  const delta: Field = { name: 'delta', scale: 6 };
  const b = new Builder([pv, notional, delta]);
  const ccys = Object.keys(RATES);
  for (let i = 0; i < trades; i++) {
    const key = `T${String(i).padStart(6, '0')}`;
    const ccy = rng.pick(ccys);
    const book = rng.pick(['RATES1', 'RATES2', 'CREDIT', 'FXOPT']);
    const rid = b.record([key, ccy, book, rng.pick(['LDN', 'NYC', 'TKY'])]);
    // PV: noise always; a sign flip on 8%; a real difference (0.5%–5%) on 1%.
    const a = sign(rng) * logUniform(rng, 5e4, 5e7);
    const noise = (rng.next() * 2 - 1) * 400;
    if (rng.chance(0.08)) b.compare(rid, key, pv, a, -a + noise, 'SIGN_FLIP');
    else if (rng.chance(0.01)) b.compare(rid, key, pv, a, a * (1 + sign(rng) * (0.005 + rng.next() * 0.045)), 'UNKNOWN');
    else b.compare(rid, key, pv, a, a + noise, 'UNKNOWN');
    // Notional: B in USD for every non-USD trade; a real difference on 0.5%.
    const n = roundTo(logUniform(rng, 1e5, 1e8), 2);
    if (rng.chance(0.005)) b.compare(rid, key, notional, n, n * (1 + 0.1 + rng.next()), 'UNKNOWN');
    else b.compare(rid, key, notional, n, roundTo(n * RATES[ccy]!, 2), 'FX_DIFF');
    // Delta: B rounds to 2 or 4 places on a third of the trades.
    const d = sign(rng) * logUniform(rng, 0.01, 5000);
    if (rng.chance(0.33)) b.compare(rid, key, delta, roundTo(d, 6), roundTo(d, rng.pick([2, 4])), 'ROUNDING_DIFF');
  }
  return { name: 'risk measures', columns: ['trade_id', 'currency', 'book', 'region'], records: b.records, breaks: b.breaks, truth: b.truth, tolerances: { pv: pv.tolerance! } };
}

/**
 * A positions pair: custodian against the books. Prices in other units (pence
 * against pounds for GBP lines, per cent of par against per unit for bonds),
 * market values in thousands for one account, shorts reported with a positive
 * quantity, prices rounded to fewer places, and stale prices (real breaks).
 */
export function positionsDomain(seed: number, positions = 2000): Domain {
  const rng = new Rng(seed);
  const qty: Field = { name: 'quantity', scale: 0 };
  const price: Field = { name: 'price', scale: 6 };
  const mv: Field = { name: 'market_value', scale: 2, tolerance: { rel: '0.000001' } };
  const b = new Builder([qty, price, mv]);
  for (let i = 0; i < positions; i++) {
    const key = `P${String(i).padStart(6, '0')}`;
    const kind = rng.pick(['EQUITY', 'EQUITY', 'BOND', 'FUND']);
    const ccy = rng.pick(['GBP', 'USD', 'EUR']);
    const account = rng.pick(['ACC1', 'ACC2', 'ACC3', 'ACC4']);
    const rid = b.record([key, kind, ccy, account]);
    const q = Math.round(logUniform(rng, 10, 1e6)) * (rng.chance(0.15) ? -1 : 1);
    const p = kind === 'BOND' ? 80 + rng.next() * 40 : logUniform(rng, 0.5, 2000);
    const pA = roundTo(p, 6);
    // Quantity: a short shown positive by the custodian; a real difference on 1%.
    if (q < 0 && rng.chance(0.6)) b.compare(rid, key, qty, q, -q, 'SIGN_FLIP');
    else if (rng.chance(0.01)) b.compare(rid, key, qty, q, q + sign(rng) * rng.int(1, 500), 'UNKNOWN');
    // Price: other units, fewer places, or stale.
    let pB = pA;
    let reason = 'UNKNOWN';
    if (kind === 'EQUITY' && ccy === 'GBP') [pB, reason] = [roundTo(pA * 100, 4), 'SCALE_DIFF'];
    else if (kind === 'BOND') [pB, reason] = [roundTo(pA / 100, 6), 'SCALE_DIFF'];
    else if (rng.chance(0.4)) [pB, reason] = [roundTo(pA, rng.pick([2, 3])), 'ROUNDING_DIFF'];
    else if (rng.chance(0.02)) [pB, reason] = [roundTo(pA * (1 + sign(rng) * (0.01 + rng.next() * 0.05)), 6), 'UNKNOWN'];
    b.compare(rid, key, price, pA, pB, reason);
    // Market value: in thousands for ACC4.
    const m = roundTo(Math.abs(q) * pA, 2);
    if (account === 'ACC4') b.compare(rid, key, mv, m, roundTo(m / 1000, 2), 'SCALE_DIFF');
  }
  return { name: 'positions', columns: ['position_id', 'asset_class', 'currency', 'account'], records: b.records, breaks: b.breaks, truth: b.truth, tolerances: { market_value: mv.tolerance! } };
}

/** Writes the domain's `breaks`, its A records (as the run's `a` view, with `__rid`) and `break_labels`. */
export async function writeDomain(conn: DuckDBConnection, d: Domain): Promise<void> {
  await writeBreakRows(conn, 'breaks', d.breaks);
  await conn.run(`CREATE OR REPLACE TABLE a (__rid BIGINT, ${d.columns.map((c) => `${ident(c)} VARCHAR`).join(', ')})`);
  const app = await conn.createAppender('a');
  try {
    d.records.forEach((r, i) => {
      app.appendBigInt(BigInt(i));
      for (const v of r) app.appendVarchar(v);
      app.endRow();
    });
    app.flushSync();
  } finally {
    app.closeSync();
  }
  await conn.run('CREATE OR REPLACE TABLE break_labels (break_id BIGINT NOT NULL, reason VARCHAR NOT NULL)');
  const lab = await conn.createAppender('break_labels');
  try {
    for (const [id, reason] of d.truth) {
      lab.appendBigInt(BigInt(id));
      lab.appendVarchar(reason);
      lab.endRow();
    }
    lab.flushSync();
  } finally {
    lab.closeSync();
  }
}

export interface DomainEvaluation {
  metrics: ModelMetrics;
  attribution: AttributionSummary;
  /** Accuracy of auto-attributed breaks per confidence band: a calibration check (confidence should mean what it says). */
  calibration: { band: string; breaks: number; accuracy: number }[];
}

/** Attributes a domain's breaks with `model` and scores them against the truth. */
export async function evaluateDomain(conn: DuckDBConnection, d: Domain, model: ReasonModel, threshold = 0.9, opts: { rules?: boolean } = {}): Promise<DomainEvaluation> {
  await writeDomain(conn, d);
  const attribution = await attributeBreaks(conn, { model, threshold, tolerances: d.tolerances, recordsA: 'a', rules: opts.rules !== false });
  const rows = await queryRows<{ truth: string; guess: string; auto: boolean; confidence: number }>(
    conn,
    `SELECT l.reason AS truth, coalesce(t.suggested_reason, t.reason) AS guess, t.status = 'AUTO' AS auto, t.confidence
       FROM attributions t JOIN break_labels l USING (break_id)`,
  );
  const acc = new MetricsAccumulator(threshold);
  const bands = [0.9, 0.95, 0.99, 1.01].map((hi, i, all) => ({ lo: i === 0 ? 0 : all[i - 1]!, hi, n: 0, right: 0 }));
  for (const r of rows) {
    acc.add(r.truth, r.guess, r.auto);
    // Calibration of the reasons given: an UNKNOWN guess is never attributed, whatever its confidence.
    if (r.guess === 'UNKNOWN') continue;
    const band = bands.find((x) => r.confidence < x.hi)!;
    band.n++;
    if (r.truth === r.guess) band.right++;
  }
  const calibration = bands.map((x) => ({ band: `${x.lo.toFixed(2)}–${Math.min(x.hi, 1).toFixed(2)}`, breaks: x.n, accuracy: x.n === 0 ? 0 : x.right / x.n }));
  return { metrics: acc.result(), attribution, calibration };
}
