import { withinTolerance } from '../diff/sql.ts';
import { decimalLiteral, literal } from '../sql/quote.ts';
import type { MatchColumns } from './columns.ts';
import type { PlannedRule } from './plan.ts';

/**
 * SQL for one rule's conditions: the exact tests, the blocking keys that find
 * candidates without comparing every pair, and each condition's closeness in
 * [0, 1] (the score of a pair is their mean). `x` is always the A row's
 * alias and `y` the B row's. Amounts stay DECIMAL for every test; DOUBLE
 * appears only in closeness (a score) and in the log-scale buckets, whose
 * neighbours absorb rounding.
 */

/** The rule's amount tolerance with zero parts dropped: none at all means "equal". */
export function amountTolerance(rule: PlannedRule): { abs: string | undefined; rel: string | undefined } {
  const nonZero = (v: string | undefined): string | undefined => (v !== undefined && /[1-9]/.test(v) ? v : undefined);
  return { abs: nonZero(rule.amount?.abs), rel: nonZero(rule.amount?.rel) };
}

/** `x` and `y` (amount expressions) agree under the rule's amount condition. */
export function amountWithinSql(rule: PlannedRule, x: string, y: string): string {
  const tol = amountTolerance(rule);
  if (tol.abs === undefined && tol.rel === undefined) return `(${x} = ${y})`;
  const field = { ...rule.amount!.field, tolerance: { abs: tol.abs, rel: tol.rel } };
  return withinTolerance(field, x, y)!;
}

/** Amount closeness: 1 when equal, else 1 − 0.5·|y − x| / tolerance (the pair's own tolerance under rel). */
export function amountClosenessSql(rule: PlannedRule, x: string, y: string): string {
  const tol = amountTolerance(rule);
  if (tol.abs === undefined && tol.rel === undefined) return `CASE WHEN ${x} = ${y} THEN 1.0 ELSE 0.0 END`;
  const width = `greatest(${tol.abs !== undefined ? decimalLiteral(tol.abs) : '0'}::DOUBLE, ${tol.rel !== undefined ? decimalLiteral(tol.rel) : '0'}::DOUBLE * greatest(abs(${x}::DOUBLE), abs(${y}::DOUBLE)))`;
  // B − A exactly, then as DOUBLE; only where it overflows DECIMAL(38) (two amounts near the type's ends
  // of opposite signs) each side is made a DOUBLE first, which would round the usual difference (1.02 − 1).
  const diff = `coalesce(TRY((${y} - ${x})::DOUBLE), ${y}::DOUBLE - ${x}::DOUBLE)`;
  return `CASE WHEN ${x} = ${y} THEN 1.0 ELSE coalesce(greatest(0.0, 1.0 - 0.5 * abs(${diff}) / nullif(${width}, 0)), 0.0) END`;
}

/** Exact floor division of integers (DuckDB's `//` truncates towards zero). */
export function floorDiv(n: string, d: bigint): string {
  return `((${n}) // ${d} - CASE WHEN (${n}) % ${d} < 0 THEN 1 ELSE 0 END)`;
}

/**
 * The amount's blocking key: two amounts within tolerance have keys at most 1
 * apart (`neighbours`), or equal keys when the condition is exact equality.
 * - no tolerance: the amount itself;
 * - abs only: floor(amount / abs), computed on exact integers (amount and
 *   tolerance scaled by the same power of ten);
 * - rel (with or without abs): G(x) = sign(x)·ln(1 + |x|/c) in buckets of
 *   −ln(1 − rel), c = abs/rel (or the amount's smallest unit): within abs or
 *   within rel both imply |G(x) − G(y)| ≤ −ln(1 − rel) (README.md derives it).
 * undefined when a rel of 1 or more makes every amount a neighbour.
 */
export function amountBucketSql(rule: PlannedRule, x: string): { sql: string; neighbours: boolean } | undefined {
  const tol = amountTolerance(rule);
  const field = rule.amount!.field;
  const scale = field.type === 'decimal' ? field.scale : 0;
  if (tol.abs === undefined && tol.rel === undefined) return { sql: x, neighbours: false };
  if (tol.rel === undefined) {
    const abs = scaled(tol.abs!);
    const s = Math.max(scale, abs.scale);
    const units = abs.units * 10n ** BigInt(s - abs.scale);
    // The amount in units of 10^-s, exactly: whole part and fraction apart, since the amount times 10^s as a
    // DECIMAL(38) overflows near the type's ends (a bucket of NULL found no candidate for them).
    const pow = `1${'0'.repeat(s)}`;
    const exact = `try(CAST(trunc(${x}) AS HUGEINT) * ${pow} + CAST((${x} - trunc(${x})) * CAST(${literal(pow)} AS DECIMAL(38, 0)) AS HUGEINT))`;
    return { sql: floorDiv(exact, units), neighbours: true };
  }
  const rel = Number(tol.rel);
  if (!(rel < 1)) return undefined;
  const c = tol.abs !== undefined ? Number(tol.abs) / rel : 10 ** -scale;
  // The width grows by a hair so float rounding never puts two keys of a within-tolerance pair 2 apart.
  const width = -Math.log1p(-rel) * (1 + 1e-6) + 1e-12;
  return { sql: `CAST(floor(sign(${x}::DOUBLE) * ln(1 + abs(${x}::DOUBLE) / ${c}) / ${width}) AS BIGINT)`, neighbours: true };
}

function scaled(value: string): { units: bigint; scale: number } {
  const [int, frac = ''] = value.split('.');
  return { units: BigInt(`${int}${frac}`), scale: frac.length };
}

/** The rule's date window in days (calendar or business, as the rule counts). */
export function dateWindow(rule: PlannedRule): number {
  return rule.date?.businessDays ?? rule.date?.days ?? 0;
}

/** Date blocking key: day numbers in buckets of window + 1, so a pair within the window is in the same or a neighbouring bucket. */
export function dateBucketSql(rule: PlannedRule, day: string): { sql: string; neighbours: boolean } {
  const w = dateWindow(rule);
  return w === 0 ? { sql: day, neighbours: false } : { sql: floorDiv(day, BigInt(w + 1)), neighbours: true };
}

export function dateClosenessSql(rule: PlannedRule, dayDiff: string): string {
  return `(1.0 - abs(${dayDiff}) / ${dateWindow(rule) + 1}.0)`;
}

/**
 * How many leading characters of the reference `r` the text `t` contains
 * (both normalized): the whole length when found whole; else the longest
 * prefix of at least `k` characters found where the text does not go on
 * with a digit (a digit there means another number, "INV2026000833" holding
 * "INV2026000" of INV2026000864, not the reference cut short); else 0. A
 * reference shorter than k is never found.
 *
 * "Does not go on with a digit" without a regular expression built per pair
 * (compiling one per candidate pair costs seconds at 100,000 rows): the text
 * (with a '#' appended) split at the prefix; some piece after an occurrence
 * must begin with a non-digit. An empty piece means the next occurrence
 * follows at once, so it begins with the prefix's first character.
 */
export function referenceFoundSql(t: string, r: string, k: number, cutImpossible?: string): string {
  const p = `${r}[1:L]`;
  const cutFound = `CASE WHEN contains(${t}, ${p})
                         THEN list_bool_or(list_transform(string_split(${t} || '#', ${p})[2:], s -> NOT (left(s || ${p}, 1) BETWEEN '0' AND '9')))
                         ELSE false END`;
  return `CASE WHEN length(${r}) < ${k} THEN 0
               WHEN contains(${t}, ${r}) THEN length(${r})
               ${cutImpossible !== undefined ? `WHEN ${cutImpossible} THEN 0` : ''}
               ELSE coalesce(list_max(list_filter(range(${k}, length(${r})), L -> ${cutFound})), 0) END`;
}

/**
 * A cheap shortcut past referenceFoundSql's search for a cut-short reference (a lambda over
 * prefixes, each a split of the text: most of a 1:1 rule's candidate pairs reach it, share an
 * invoice number's first digits and fail). Per row, computed once: the text's digit runs
 * (`referenceDigitRunsSql`), and the reference's trailing digits when they start at or before its
 * k-th character after a non-digit (`referenceTailDigitsSql`: "2026000864" of "INV2026000864", NULL
 * otherwise). A prefix r[1:L] (k ≤ L < length) found where the text goes on with a non-digit ends
 * a digit run of the text, which begins where the reference's trailing digits do (a non-digit
 * precedes both): that run is exactly the first L − i0 + 1 of those digits. No text run that is
 * such a prefix of them (at least k − i0 + 1 long, shorter than all of them): not found cut
 * short, 0. Exact: it only skips pairs whose search would find nothing.
 */
export function referenceCutImpossibleSql(runs: string, tailDigits: string, r: string, k: number): string {
  const fits = `D -> length(D) >= ${k} - length(${r}) + length(${tailDigits}) AND length(D) < length(${tailDigits}) AND starts_with(${tailDigits}, D)`;
  return `(${tailDigits} IS NOT NULL AND NOT coalesce(list_bool_or(list_transform(${runs}, ${fits})), false))`;
}

/** A text's runs of digits (referenceCutImpossibleSql). */
export function referenceDigitRunsSql(t: string): string {
  return `regexp_extract_all(${t}, '[0-9]+')`;
}

/** A reference's trailing digits, when they begin after a non-digit at or before its k-th character; else NULL (referenceCutImpossibleSql). */
export function referenceTailDigitsSql(r: string, k: number): string {
  const tail = `regexp_extract(${r}, '[0-9]+$')`;
  return `CASE WHEN length(${tail}) BETWEEN length(${r}) - ${k - 1} AND length(${r}) - 1 THEN ${tail} END`;
}

/** A cheap necessary test for referenceFoundSql > 0: the text holds the reference's first k characters. */
export function referencePrefixSql(t: string, r: string, k: number): string {
  return `(length(${r}) >= ${k} AND contains(${t}, ${r}[1:${k}]))`;
}

/** Reference closeness: 1 found whole; a cut-short reference 0.5 × the share found, so a whole one outranks it even some days further away. */
export function referenceClosenessSql(found: string, length: string): string {
  return `(CASE WHEN ${found} = ${length} THEN 1.0 ELSE 0.5 * ${found} / ${length} END)`;
}

/** Similarity of two normalized names (0 when either is empty). */
export function nameSimilaritySql(x: string, y: string): string {
  return `CASE WHEN ${x} <> '' AND ${y} <> '' THEN jaro_winkler_similarity(${x}, ${y}) ELSE 0.0 END`;
}

/** How many conditions a score averages over. */
export function conditionCount(rule: PlannedRule): number {
  return rule.equal.length + (rule.amount ? 1 : 0) + (rule.date ? 1 : 0) + (rule.reference ? 1 : 0) + rule.similar.length;
}

/** The score: the mean of the closenesses (equal conditions count 1 each), rounded to 6 decimals so ties are exact. */
export function scoreSql(rule: PlannedRule, closeness: readonly string[]): string {
  const parts = [...(rule.equal.length > 0 ? [`${rule.equal.length}`] : []), ...closeness];
  return `round((${parts.join(' + ')}) / ${conditionCount(rule)}.0, 6)`;
}

/** Equality of the rule's `equal` fields (NULL equals NULL, as in the keyed diff). */
export function equalSql(rule: PlannedRule, cols: MatchColumns, x: string, y: string): string[] {
  return rule.equal.map((f) => `${x}.${cols.value(f)} IS NOT DISTINCT FROM ${y}.${cols.value(f)}`);
}

/** A signed number as text with its sign: "+0.05", "-2". */
export function signedText(v: string): string {
  return `(CASE WHEN ${v} > 0 THEN '+' ELSE '' END || CAST(${v} AS VARCHAR))`;
}
