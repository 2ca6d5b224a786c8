/**
 * Explanations in words. A reviewer reads "B/A ratio 1.0843" or "A and B have
 * opposite signs", not "ratio_log" or "neg1_distance": every feature an
 * explanation can name says what its value means for this break.
 */

const n = (v: number, digits = 4): string => {
  const abs = Math.abs(v);
  const d = abs >= 1000 ? 2 : abs >= 1 ? digits : 6;
  return v.toLocaleString('en-US', { maximumFractionDigits: d });
};
const yes = (v: number, on: string, off: string): string => (v >= 0.5 ? on : off);

/** One phrase per feature, from its value; features not listed fall back to their name and value. */
const PHRASES: Readonly<Record<string, (v: number) => string>> = {
  abs_delta_log: (v) => `|B − A| about ${n(10 ** v - 1, 2)}`,
  rel_delta_log: (v) => (v <= -13 ? 'not a number' : `B and A differ by ${n(10 ** v * 100, 4)}% of the larger`),
  delta_ulps_log: (v) => `|B − A| is ${n(Math.round(10 ** v - 1), 0)} units of the last decimal shown`,
  decimals: (v) => `${v} decimal places shown`,
  magnitude_log: (v) => `values of about ${n(10 ** v - 1, 0)}`,
  zero_side: (v) => yes(v, 'one side is zero', 'neither side is zero'),
  ratio_log: (v) => `B/A ratio ${n(10 ** v, 4)} (in size)`,
  ratio_negative: (v) => yes(v, 'A and B have opposite signs', 'A and B have the same sign'),
  pow10_distance: (v) => (v >= 1 ? 'no B/A ratio' : v < 0.0043 ? 'B/A is a power of ten' : 'B/A is not a power of ten'),
  pow10_exponent: (v) => (v === 0 ? 'B/A is about 1 in size' : `B/A is about ×10^${v}`),
  near_pow10: (v) => yes(v, 'B/A within 1% of a power of ten', 'B/A not a power of ten'),
  neg1_distance: (v) => (v >= 2 ? 'no B/A ratio' : v < 0.001 ? 'A = −B' : `B/A is ${n(v, 4)} away from −1`),
  near_neg1: (v) => yes(v, 'A = −B within 0.1%', 'A is not −B'),
  fx_distance: (v) => (v >= 1 ? 'B/A is no known FX rate' : `B/A is ${n(v * 100, 3)}% from a known FX rate`),
  near_fx: (v) => yes(v, 'B/A is a known FX rate', 'B/A is no known FX rate'),
  fx_table: (v) => yes(v, 'an FX table was given', 'no FX table was given'),
  day_shift: (v) => `B is ${n(v, 2)} days after A`,
  abs_day_shift_log: (v) => `dates ${n(10 ** v - 1, 1)} days apart`,
  bday_shift: (v) => `${n(v, 0)} business days from A to B`,
  weekend_a: (v) => yes(v, 'date A is a weekend', 'date A is a weekday'),
  weekend_b: (v) => yes(v, 'date B is a weekend', 'date B is a weekday'),
  whole_hours_shift: (v) => yes(v, 'shifted by whole hours (a time zone)', 'not a whole-hours shift'),
  case_equal: (v) => yes(v, 'equal ignoring case', 'different ignoring case'),
  alnum_equal: (v) => yes(v, 'equal ignoring case and punctuation', 'different ignoring punctuation'),
  edit_distance: (v) => `${n(v * 100, 0)}% of the characters differ`,
  jaro_winkler: (v) => `spelling ${n(v * 100, 0)}% alike`,
  jaccard: (v) => `${n(v * 100, 0)}% of the letters shared`,
  token_overlap: (v) => `${n(v * 100, 0)}% of the words shared`,
  abbreviation: (v) => yes(v, 'one value abbreviates the other', 'no abbreviation'),
  opposite_pair: (v) => yes(v, 'the values are opposite directions (BUY/SELL …)', 'not a direction pair'),
  same_shape: (v) => yes(v, 'both codes have the same shape', 'the codes differ in shape'),
  pattern_count_log: (v) => `${n(Math.round(Math.exp(v) - 1), 0)} other breaks of this field show the same difference`,
  pattern_share: (v) => `${n(v * 100, 0)}% of this field's breaks show the same difference`,
  prev_key_break: (v) => yes(v, 'the record broke in the previous run', 'the record did not break in the previous run'),
  prev_same_break: (v) => yes(v, 'the same break was in the previous run', 'a new break'),
  hist_linked: (v) => yes(v, 'open in the previous run', 'not open in the previous run'),
  hist_changed: (v) => yes(v, 'its values changed since the previous run', 'values unchanged since the previous run'),
  hist_age_runs_log: (v) => `open for ${n(Math.round(Math.exp(v)), 0)} runs`,
  hist_decided: (v) => yes(v, 'decided in the previous run', 'not decided before'),
};

/** What a feature's value means for one break, in words. */
export function describeFeature(feature: string, value: number): string {
  const phrase = PHRASES[feature];
  if (phrase) return phrase(value);
  const m = /^(type|diff)_(.+)$/.exec(feature);
  if (m) return value >= 0.5 ? `${m[1] === 'type' ? 'a' : 'diff type'} ${m[2]!.replace(/_/g, ' ')}${m[1] === 'type' ? ' field' : ''}` : `not ${m[2]!.replace(/_/g, ' ')}`;
  const h = /^hist_reason_(.+)$/.exec(feature);
  if (h) return value >= 0.5 ? `its reason in the previous run was ${h[1]!.toUpperCase()}` : `its previous reason was not ${h[1]!.toUpperCase()}`;
  return `${feature.replace(/_/g, ' ')} ${n(value)}`;
}

/** The feature a guard's explanation is filed under (the feature that measures the property), by reason. */
export const RULE_FEATURE: Readonly<Record<string, { feature: string }>> = {
  ROUNDING_DIFF: { feature: 'delta_ulps_log' },
  SIGN_FLIP: { feature: 'ratio_negative' },
  SCALE_DIFF: { feature: 'pow10_distance' },
  FX_DIFF: { feature: 'fx_distance' },
};

/** Why a guess was not trusted: its defining property does not hold on this break's values. */
export function describeGuard(reason: string, a: number, b: number, unit: number): string {
  const d = Math.abs(b - a);
  switch (reason) {
    case 'ROUNDING_DIFF':
      return `not rounding: |B − A| = ${n(d, 2)} is ${n(Math.round(d / (unit || 1)), 0)} units of the last digit shown (${n(unit, 6)})`;
    case 'SIGN_FLIP':
      return `not a sign flip: A = ${n(a, 2)} and B = ${n(b, 2)} have the same sign`;
    case 'SCALE_DIFF':
      return `not a scale difference: B/A = ${a === 0 ? 'undefined' : n(b / a, 4)} is no power of ten`;
    default:
      return `not an FX difference: B/A = ${a === 0 ? 'undefined' : n(b / a, 4)} is no known or shared rate`;
  }
}
