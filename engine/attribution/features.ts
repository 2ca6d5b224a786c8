/**
 * One numeric feature vector per break, computed in DuckDB SQL over `breaks`
 * into `break_features(break_id, f1 … fn)`. Every feature looks only at the
 * values, types and diff types, never at field names, so the model carries
 * over to files with other columns and other domains. Not-applicable features
 * take a fixed neutral value (0, or the stated sentinel) so a tree can tell
 * "not applicable" apart from "small".
 */

export interface FeatureSpec {
  name: string;
  description: string;
  /** SQL over the prepared columns of `feature-sql.ts` (stage `t`). */
  sql: string;
}

const FIELD_TYPES = ['string', 'integer', 'decimal', 'date', 'timestamp', 'boolean'] as const;
const DIFF_TYPES = [
  ['mismatch', 'MISMATCH'],
  ['missing_in_a', 'MISSING_IN_A'],
  ['missing_in_b', 'MISSING_IN_B'],
  ['duplicate_key', 'DUPLICATE_KEY'],
] as const;

const flag = (cond: string): string => `CASE WHEN ${cond} THEN 1 ELSE 0 END`;

/** The reasons the model decides (field breaks), one history feature each: "last run it was X". */
export const HISTORY_REASONS = ['ROUNDING_DIFF', 'TIMING_DIFF', 'FX_DIFF', 'SCALE_DIFF', 'SIGN_FLIP', 'STATIC_DATA'] as const;
const num = `ft IN ('decimal', 'integer') OR (ft = 'string' AND na IS NOT NULL AND nb IS NOT NULL)`;
const str = `ft IN ('string', 'boolean') AND ua IS NOT NULL AND ub IS NOT NULL`;
const dated = `ft IN ('date', 'timestamp') AND da IS NOT NULL AND db IS NOT NULL`;

export const FEATURE_SPECS: readonly FeatureSpec[] = [
  ...FIELD_TYPES.map((t) => ({ name: `type_${t}`, description: `1 when the field type is ${t}.`, sql: flag(`ft = '${t}'`) })),
  ...DIFF_TYPES.map(([n, t]) => ({ name: `diff_${n}`, description: `1 when the diff type is ${t}.`, sql: flag(`diff_type = '${t}'`) })),
  { name: 'a_missing', description: 'Value A is NULL (empty) on a matched record.', sql: flag(`diff_type = 'MISMATCH' AND value_a IS NULL`) },
  { name: 'b_missing', description: 'Value B is NULL (empty) on a matched record.', sql: flag(`diff_type = 'MISMATCH' AND value_b IS NULL`) },
  { name: 'numeric_text', description: 'A string field whose two values both parse as numbers.', sql: flag(`ft = 'string' AND na IS NOT NULL AND nb IS NOT NULL`) },
  { name: 'abs_delta_log', description: 'log10(1 + |B − A|) for numbers.', sql: `CASE WHEN ${num} THEN log10(1 + abs(nd)) ELSE 0 END` },
  {
    name: 'rel_delta_log',
    description: 'log10 of |B − A| / max(|A|, |B|), in [−12, 0.31]; −13 when not numeric.',
    sql: `CASE WHEN ${num} THEN log10(greatest(abs(nd) / nullif(greatest(abs(na), abs(nb)), 0), 1e-12)) ELSE -13 END`,
  },
  ...[0, 1, 2, 3, 4].map((k) => ({
    name: `delta_below_1e_${k}`,
    description: `|B − A| < 10^−${k} (numbers only).`,
    sql: flag(`(${num}) AND abs(nd) < ${10 ** -k}`),
  })),
  {
    name: 'delta_ulps_log',
    description: 'log10(1 + |B − A| in units of the last decimal place shown).',
    sql: `CASE WHEN ${num} THEN log10(1 + abs(nd) * power(10, decimals)) ELSE 0 END`,
  },
  { name: 'decimals', description: 'Decimal places shown in the values (max of A and B).', sql: `CASE WHEN ${num} THEN decimals ELSE 0 END` },
  { name: 'magnitude_log', description: 'log10(1 + max(|A|, |B|)) for numbers.', sql: `CASE WHEN ${num} THEN log10(1 + greatest(abs(na), abs(nb))) ELSE 0 END` },
  { name: 'zero_side', description: 'Exactly one numeric value is zero.', sql: flag(`(${num}) AND (na = 0) <> (nb = 0)`) },
  { name: 'ratio_log', description: 'log10(|B / A|), clamped to ±8; 0 when undefined.', sql: `coalesce(rlog, 0)` },
  { name: 'ratio_negative', description: 'B / A < 0: the values have opposite signs.', sql: flag(`ratio < 0`) },
  { name: 'pow10_distance', description: 'Distance of log10|B/A| to the nearest whole number (0..0.5); 1 when undefined.', sql: `coalesce(abs(rlog - round(rlog)), 1)` },
  { name: 'pow10_exponent', description: 'The nearest power of ten of |B/A| (3 = ×1000, −2 = ÷100).', sql: `coalesce(round(rlog), 0)` },
  { name: 'near_pow10', description: '|B/A| within 1% of 10^k for k ≠ 0 (×10, ×100, ÷1000, …).', sql: flag(`abs(rlog - round(rlog)) < 0.0043 AND round(rlog) <> 0`) },
  { name: 'neg1_distance', description: '|B/A + 1|, clamped to 2; 2 when undefined.', sql: `coalesce(least(abs(ratio + 1), 2), 2)` },
  { name: 'near_neg1', description: 'B/A within 0.1% of −1 (same amount, opposite sign).', sql: flag(`abs(ratio + 1) < 0.001`) },
  { name: 'fx_distance', description: 'min |ln|B/A| − ln(rate)| over the FX table (rates, inverses, crosses), clamped to 1.', sql: `coalesce(least(fxd, 1), 1)` },
  { name: 'near_fx', description: '|B/A| within 0.5% of a known FX rate or its inverse.', sql: flag(`fxd < 0.005`) },
  { name: 'fx_table', description: '1 when an FX table was supplied for this run.', sql: `fx_present` },
  { name: 'day_shift', description: 'B − A in days for dates/timestamps, clamped to ±400.', sql: `CASE WHEN ${dated} THEN greatest(-400, least(400, secs / 86400)) ELSE 0 END` },
  { name: 'abs_day_shift_log', description: 'log10(1 + |B − A| in days).', sql: `CASE WHEN ${dated} THEN log10(1 + abs(secs) / 86400) ELSE 0 END` },
  { name: 'bday_shift', description: 'Weekdays from A to B (Fri→Mon = 1), clamped to ±300.', sql: `CASE WHEN ${dated} THEN greatest(-300, least(300, bd)) ELSE 0 END` },
  { name: 'weekend_a', description: 'Date A falls on a Saturday or Sunday.', sql: flag(`${dated} AND isodow(da) >= 6`) },
  { name: 'weekend_b', description: 'Date B falls on a Saturday or Sunday.', sql: flag(`${dated} AND isodow(db) >= 6`) },
  { name: 'whole_hours_shift', description: 'A timestamp shift of whole hours under a day (time-zone like).', sql: flag(`ft = 'timestamp' AND secs % 3600 = 0 AND abs(secs) < 86400 AND secs <> 0`) },
  { name: 'case_equal', description: 'Strings equal ignoring case.', sql: flag(`${str} AND ua = ub`) },
  { name: 'alnum_equal', description: 'Strings equal ignoring case, punctuation, spacing and &/AND.', sql: flag(`${str} AND ca = cb`) },
  // wa/wb: the texts, or for a long text its two ends (feature-sql.ts EDIT_WINDOW); a difference
  // the window does not see still counts one character.
  {
    name: 'edit_distance',
    description: 'Levenshtein distance / longer length (0 same … 1 different).',
    sql: `CASE WHEN ${str} THEN greatest(levenshtein(wa, wb), CASE WHEN ua <> ub THEN 1 ELSE 0 END) / greatest(length(ua), length(ub), 1) ELSE 1 END`,
  },
  { name: 'jaro_winkler', description: 'Jaro-Winkler similarity of the upper-cased strings.', sql: `CASE WHEN ${str} THEN jaro_winkler_similarity(wa, wb) ELSE 0 END` },
  { name: 'jaccard', description: 'Jaccard similarity of the character sets.', sql: `CASE WHEN ${str} AND length(ua) > 0 AND length(ub) > 0 THEN jaccard(ua, ub) ELSE 0 END` },
  {
    name: 'token_overlap',
    description: 'Shared words / all distinct words (after removing punctuation).',
    sql: `CASE WHEN ${str} THEN len(list_intersect(tka, tkb)) / greatest(len(list_distinct(list_concat(tka, tkb))), 1) ELSE 0 END`,
  },
  { name: 'abbreviation', description: 'Same words where they differ one abbreviates the other (CORP/CORPORATION, LTD/LIMITED).', sql: flag(`${str} AND abbrev`) },
  { name: 'opposite_pair', description: 'The values are a known direction pair (BUY/SELL, B/S, LONG/SHORT, PAY/RECEIVE, DR/CR …).', sql: flag(`${str} AND opposite`) },
  {
    name: 'same_shape',
    description: 'Both strings have the same letter/digit pattern (a code swapped for another code).',
    sql: flag(`${str} AND regexp_replace(regexp_replace(ua, '\\p{L}', 'A', 'g'), '\\p{N}', '9', 'g') = regexp_replace(regexp_replace(ub, '\\p{L}', 'A', 'g'), '\\p{N}', '9', 'g')`),
  },
  { name: 'length_ratio', description: 'Shorter / longer string length.', sql: `CASE WHEN ${str} THEN least(length(ua), length(ub)) / greatest(length(ua), length(ub), 1) ELSE 0 END` },
  { name: 'length_log', description: 'log10(1 + longer string length).', sql: `CASE WHEN ${str} THEN log10(1 + greatest(length(ua), length(ub))) ELSE 0 END` },
  { name: 'word_count', description: 'Words in the longer string (capped at 10).', sql: `CASE WHEN ${str} THEN least(greatest(len(tka), len(tkb)), 10) ELSE 0 END` },
  { name: 'pattern_count_log', description: 'ln(1 + other breaks of this run with the same field and delta pattern).', sql: `ln(1 + same_pattern)` },
  { name: 'pattern_share', description: 'Other breaks with the same field and pattern / other breaks in the field.', sql: `same_pattern / greatest(same_field, 1)` },
  { name: 'prev_key_break', description: 'The key had a break in the previous run of the same definition.', sql: `prev_key` },
  { name: 'prev_same_break', description: 'The previous run had a break on the same key and field with the same diff type.', sql: `prev_same` },
  // Break memory (series/link.ts): the break's own history in its series. A model
  // trained before these features has none of them; ReasonModel maps features by name.
  { name: 'hist_linked', description: 'The break was open in the previous run of its series (CARRIED or CHANGED).', sql: flag(`hist_lifecycle IN ('CARRIED', 'CHANGED')`) },
  { name: 'hist_changed', description: 'The break was open in the previous run with other values (CHANGED).', sql: flag(`hist_lifecycle = 'CHANGED'`) },
  { name: 'hist_age_runs_log', description: 'ln(consecutive runs the break has been open, this one included).', sql: `ln(greatest(coalesce(hist_age_runs, 1), 1))` },
  { name: 'hist_decided', description: 'A decision was in force on the break in the previous run (carried, or dropped because the values changed).', sql: flag(`hist_decided`) },
  ...HISTORY_REASONS.map((code) => ({
    name: `hist_reason_${code.toLowerCase()}`,
    description: `The break's reason in the previous run was ${code} (its decision's reason, else the model's when it was sure).`,
    sql: flag(`hist_reason = '${code}'`),
  })),
];

/** The feature list, one line per feature (name and meaning), in model column order. */
export const FEATURES: readonly { name: string; description: string }[] = FEATURE_SPECS.map(({ name, description }) => ({ name, description }));

/** Column index of a feature by name (throws on a typo). */
export function featureIndex(name: string): number {
  const i = FEATURE_SPECS.findIndex((f) => f.name === name);
  if (i < 0) throw new Error(`unknown feature ${name}`);
  return i;
}
