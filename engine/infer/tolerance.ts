import type { DuckDBConnection } from '@duckdb/node-api';
import type { Tolerance } from '../definition/schema.ts';
import { queryOne, queryRows } from '../duckdb/open.ts';
import type { FieldPlan } from './fields.ts';
import { looksLikeId } from './names.ts';
import type { RuleProposal } from './types.ts';

/**
 * Tolerance proposals from the distribution of |A − B| on key-matched
 * records. Two systems that compute a figure independently (two risk
 * engines' PV, two feeds' settlement dates) differ a little on nearly every
 * record; a tolerance that covers that noise leaves the real breaks. It is
 * proposed only when the noise is column-wide: a field where most records
 * agree exactly and a few differ gets none, for those few are breaks.
 */

/** Fewer compared records than this say nothing about a distribution. */
const MIN_COMPARED = 20;
/** Share of compared records that must differ: noise, not sporadic breaks. */
const MIN_DIFFERING = 0.5;
/** Share the proposed tolerance must cover; below it the differences are too spread to be noise. */
const MIN_COVERED = 0.9;
/** Largest tolerance worth proposing, against the field's typical magnitude (abs) or as a ratio (rel). */
const MAX_RELATIVE = 0.05;
/** Largest date lag proposed, in days: more is a different date, not a lag. */
const MAX_DAYS = 7;
/** Magnitudes of the two halves of the records must differ this much for the test "do differences scale?" to mean anything. */
const MAGNITUDE_SPREAD = 4;

/**
 * The body of the distribution, leaving its tail of breaks out: the 99th
 * percentile, unless that is more than twice the 90th (a tail of breaks
 * beyond 1% of records would otherwise set it).
 */
const body = (q90: number, q99: number): number => Math.min(q99, 2 * q90);

/** Up to two significant digits, rounded up (396 → 400, 0.00496 → 0.005), as exact decimal text. */
export function roundUpTwoDigits(x: number): string {
  if (!(x > 0)) return '0';
  const exp = Math.floor(Math.log10(x)) - 1;
  // Float division leaves 50.000000000001 for 0.005 / 1e-4: a hair below the integer is the integer.
  const digits = Math.ceil(x / 10 ** exp - 1e-9);
  if (exp >= 0) return String(digits * 10 ** exp);
  const text = (digits / 10 ** -exp).toFixed(-exp);
  return text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text;
}

/** Proposals for one compared number or date field whose values differ; `taken`: the field's other proposals. */
export async function toleranceProposals(conn: DuckDBConnection, f: FieldPlan, taken: readonly RuleProposal[], sampleFraction: number): Promise<RuleProposal[]> {
  // A column-wide scale, sign or shift is the convention; a tolerance measured before it would be meaningless.
  if (taken.some((p) => p.columnWide)) return [];
  if (f.type === 'date' || f.type === 'timestamp') return dayTolerance(conn, f, sampleFraction);
  // A phone or account number a little off is another number, never noise.
  if (f.type === 'integer' && (await identifierLike(conn, f))) return [];
  if (f.type === 'decimal' || f.type === 'integer') return numberTolerance(conn, f, sampleFraction);
  return [];
}

/** Fewest digits of a whole number that, all values alike in length, make a code rather than a quantity. */
const ID_DIGITS = 7;

/**
 * A whole-number column that identifies rather than measures: its name says so
 * (…ID, …No, Number, Ref), or every value on both sides has the same number of
 * digits, and many of them (phone numbers, accounts: fixed width; amounts and
 * counts vary in length).
 */
async function identifierLike(conn: DuckDBConnection, f: FieldPlan): Promise<boolean> {
  if (looksLikeId(f.a.name) || looksLikeId(f.b.name)) return true;
  const digits = (v: string): string => `length(CAST(abs(TRY_CAST(${v} AS HUGEINT)) AS VARCHAR))`;
  const r = await queryOne<{ lo: number | null; hi: number | null }>(
    conn,
    `SELECT least(min(${digits(`x${f.a.index}`)}), min(${digits(`y${f.b.index}`)})) AS lo, greatest(max(${digits(`x${f.a.index}`)}), max(${digits(`y${f.b.index}`)})) AS hi FROM infer_pc`,
  );
  return r.lo !== null && r.lo === r.hi && Number(r.lo) >= ID_DIGITS;
}

interface Spread {
  n: number;
  differing: number;
  q90: number;
  q99: number;
  largest: number;
}

const pct = (x: number): string => `${Math.round(x * 1000) / 10}%`;
const count = (x: number): string => x.toLocaleString('en-US');

async function numberTolerance(conn: DuckDBConnection, f: FieldPlan, sampleFraction: number): Promise<RuleProposal[]> {
  const scale = f.type === 'decimal' ? (f.scale ?? 0) : 0;
  // As the run compares them: both values rounded to the field's scale.
  const [x, y] = [`round(x${f.a.index}::DOUBLE, ${scale})`, `round(y${f.b.index}::DOUBLE, ${scale})`];
  const unit = 10 ** -scale;
  const diffs = `SELECT __key AS k, abs(${y} - ${x}) AS ad, greatest(abs(${x}), abs(${y})) AS mag FROM infer_pc WHERE x${f.a.index} IS NOT NULL AND y${f.b.index} IS NOT NULL`;
  const r = await queryOne<Record<string, number | string | null>>(
    conn,
    `WITH d AS (SELECT *, ad / nullif(mag, 0) AS rd FROM (${diffs})), m AS (SELECT median(mag) AS mid FROM d)
     SELECT count(*) AS n, count(*) FILTER (WHERE ad >= ${unit / 2}) AS differing, max(ad) AS largest, any_value(mid) AS mid,
            quantile_cont(ad, 0.9) AS a90, quantile_cont(ad, 0.99) AS a99, quantile_cont(rd, 0.9) AS r90, quantile_cont(rd, 0.99) AS r99,
            median(ad) FILTER (WHERE mag < mid) AS lo_ad, median(ad) FILTER (WHERE mag >= mid) AS hi_ad,
            median(mag) FILTER (WHERE mag < mid) AS lo_mag, median(mag) FILTER (WHERE mag >= mid) AS hi_mag
       FROM d, m`,
  );
  const num = (k: string): number => Number(r[k] ?? 0);
  const spread: Spread = { n: num('n'), differing: num('differing'), q90: num('a90'), q99: num('a99'), largest: num('largest') };
  if (!noisy(spread)) return [];
  // Differences scale with the value when the larger half of the records differs by as much more as it is larger.
  const magRatio = num('lo_mag') > 0 ? num('hi_mag') / num('lo_mag') : 0;
  const relative = magRatio >= MAGNITUDE_SPREAD && num('lo_ad') > 0 && num('hi_ad') / num('lo_ad') >= Math.sqrt(magRatio);
  const threshold = relative ? roundUpTwoDigits(body(num('r90'), num('r99'))) : roundUpTwoDigits(Math.max(body(spread.q90, spread.q99), unit));
  const t = Number(threshold);
  if (relative ? t > MAX_RELATIVE : t > MAX_RELATIVE * num('mid')) return [];
  const within = relative ? `ad <= ${t} * mag + 1e-9 * mag` : `ad <= ${t} + ${unit / 1e6}`;
  const covered = await coverage(conn, diffs, within, unit / 2);
  if (covered.within < MIN_COVERED * spread.n) return [];
  const tolerance: Tolerance = relative ? { rel: threshold } : { abs: threshold };
  const what = relative ? `by ≤ ${threshold} of the value; rel tolerance ${threshold} proposed` : `by ≤ ${threshold}; abs tolerance ${threshold} proposed`;
  const why = relative
    ? `differences scale with the value (half the records with the larger values differ ${(num('hi_ad') / num('lo_ad')).toFixed(0)}× as much)`
    : 'differences do not grow with the value';
  return [proposal(f, relative ? 'rel-tolerance' : 'abs-tolerance', t, tolerance, spread, covered, sampleFraction, `${what}; ${why}`)];
}

async function dayTolerance(conn: DuckDBConnection, f: FieldPlan, sampleFraction: number): Promise<RuleProposal[]> {
  const diffs = `SELECT __key AS k, abs(date_diff('day', x${f.a.index}::DATE, y${f.b.index}::DATE)) AS ad FROM infer_pc WHERE x${f.a.index} IS NOT NULL AND y${f.b.index} IS NOT NULL`;
  const r = await queryOne<Record<string, number | string | null>>(
    conn,
    `SELECT count(*) AS n, count(*) FILTER (WHERE ad > 0) AS differing, max(ad) AS largest, quantile_disc(ad, 0.9) AS a90, quantile_disc(ad, 0.99) AS a99 FROM (${diffs})`,
  );
  const spread: Spread = { n: Number(r['n']), differing: Number(r['differing']), q90: Number(r['a90'] ?? 0), q99: Number(r['a99'] ?? 0), largest: Number(r['largest'] ?? 0) };
  if (!noisy(spread)) return [];
  const days = Math.ceil(body(spread.q90, spread.q99));
  if (days < 1 || days > MAX_DAYS) return [];
  const covered = await coverage(conn, diffs, `ad <= ${days}`, 0.5);
  if (covered.within < MIN_COVERED * spread.n) return [];
  const what = `by ≤ ${days} day${days === 1 ? '' : 's'}; day tolerance ${days} proposed (no single shift explains most records: a lag that varies)`;
  return [proposal(f, 'day-tolerance', days, { days }, spread, covered, sampleFraction, what)];
}

/** Most records differ: noise on the whole column, not a few breaks. */
const noisy = (s: Spread): boolean => s.n >= MIN_COMPARED && s.differing >= MIN_DIFFERING * s.n;

/** Records within the tolerance, those of them that differ, and examples of the ones beyond it (the breaks it leaves). */
async function coverage(conn: DuckDBConnection, diffs: string, within: string, differs: number): Promise<{ within: number; explains: number; beyond: string[] }> {
  const r = await queryOne<{ within: string; explains: string }>(
    conn,
    `SELECT count(*) FILTER (WHERE ${within}) AS within, count(*) FILTER (WHERE ${within} AND ad >= ${differs}) AS explains FROM (${diffs})`,
  );
  const beyond = await queryRows<{ k: string }>(conn, `SELECT k FROM (${diffs}) WHERE NOT (${within}) ORDER BY ad DESC, k LIMIT 3`);
  return { within: Number(r.within), explains: Number(r.explains), beyond: beyond.map((b) => b.k) };
}

function proposal(
  f: FieldPlan,
  kind: RuleProposal['kind'],
  value: number,
  tolerance: Tolerance,
  s: Spread,
  covered: { within: number; explains: number; beyond: string[] },
  sampleFraction: number,
  what: string,
): RuleProposal {
  const left = s.n - covered.within;
  const tail = left === 0 ? 'none beyond it' : left === 1 ? '1 beyond it stays a break' : `${count(left)} beyond it stay breaks`;
  return {
    field: f.a.name,
    kind,
    value,
    adjust: {},
    tolerance,
    explains: covered.explains,
    differing: s.differing,
    compared: s.n,
    estimatedRecords: Math.round(covered.explains / Math.max(sampleFraction, 1e-9)),
    columnWide: true,
    reason: `${pct(covered.within / s.n)} of matched records differ ${what}; ${pct(s.differing / s.n)} differ at all, ${tail}`,
    exampleKeys: covered.beyond,
  };
}
