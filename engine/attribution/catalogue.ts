/**
 * The default reason-code catalogue. The workflow store seeds its editable
 * `reason_codes` table from this list; the model's classes are codes from it.
 *
 * Category answers one question for the ops team: does this break need a
 * business action (someone must fix a booking, chase a counterparty or amend
 * static data), or is it explained noise (the two systems agree in substance
 * and only represent the value differently)?
 */
export type ReasonCategory = 'ACTION' | 'NOISE';

export interface ReasonCode {
  code: string;
  description: string;
  category: ReasonCategory;
}

export const DEFAULT_REASON_CODES = [
  {
    code: 'ROUNDING_DIFF',
    description: 'Amounts differ by rounding: a few units in the last decimal places.',
    // Both systems hold the same economic value; precision differs.
    category: 'NOISE',
  },
  {
    code: 'TIMING_DIFF',
    description: 'A date or time shifted by a few (business) days or hours between the systems.',
    // Usually one system books or settles later; resolves itself without a fix.
    category: 'NOISE',
  },
  {
    code: 'FX_DIFF',
    description: 'An amount reported in another currency: the ratio B/A is an FX rate.',
    // Same value in another currency; a reporting convention, not an error.
    category: 'NOISE',
  },
  {
    code: 'SCALE_DIFF',
    description: 'Units against thousands (or hundreds): the ratio B/A is a power of ten.',
    // Usually a presentation convention, but a wrong multiplier can be a real
    // booking error worth 1000x, so someone must confirm it.
    category: 'ACTION',
  },
  {
    code: 'SIGN_FLIP',
    description: 'Direction reversed: buy against sell, or an amount with the opposite sign.',
    // A reversed direction is a wrong position until proven otherwise.
    category: 'ACTION',
  },
  {
    code: 'STATIC_DATA',
    description: 'A reference value (name, code, identifier) spelled or mapped differently.',
    // One side's reference data must be corrected or mapped.
    category: 'ACTION',
  },
  {
    code: 'MISSING_IN_A',
    description: 'The record exists in Source B only.',
    // A trade the front office never booked, or booked under another key.
    category: 'ACTION',
  },
  {
    code: 'MISSING_IN_B',
    description: 'The record exists in Source A only.',
    // The counterparty or custodian has not got the record.
    category: 'ACTION',
  },
  {
    code: 'DUPLICATE_KEY',
    description: 'The same key appears more than once on one side.',
    // A double booking or a file sent twice; must be cleaned up.
    category: 'ACTION',
  },
  {
    code: 'REJECTED_IN_A',
    description: 'The record is in Source A, but A\'s row was rejected (a value that does not parse); the break names the reject\'s line and reason.',
    // The record exists: the analyst fixes the bad value, not a missing booking.
    category: 'ACTION',
  },
  {
    code: 'REJECTED_IN_B',
    description: 'The record is in Source B, but B\'s row was rejected (a value that does not parse); the break names the reject\'s line and reason.',
    category: 'ACTION',
  },
  {
    code: 'AMBIGUOUS',
    description: 'Matching without a key: the row ties between two or more candidates under a rule; the break lists them and a person picks (never guessed).',
    // A tie is not a reason the model can learn: someone must choose the counterpart.
    category: 'ACTION',
  },
  {
    code: 'MANUAL_MATCH',
    description: 'Matching without a key: a person matched the row to its counterpart by hand (a manual match, under the 4-eye rule above the workspace\'s amount).',
    // Never predicted: the workflow settles an unmatched row's break with it when a manual match comes into force.
    category: 'NOISE',
  },
  {
    code: 'UNKNOWN',
    description: 'No reason found with enough confidence; goes to the review queue.',
    // Unexplained means unreviewed: it must be looked at.
    category: 'ACTION',
  },
] as const satisfies readonly ReasonCode[];

export type DefaultReason = (typeof DEFAULT_REASON_CODES)[number]['code'];

/** Reasons that follow from the diff type itself, not from a model. */
export const STRUCTURAL_REASONS = ['MISSING_IN_A', 'MISSING_IN_B', 'DUPLICATE_KEY'] as const satisfies readonly DefaultReason[];

/**
 * Diff types whose reason is the diff type itself, and that have no column in
 * the model's features (the baseline model predates them): attributed in SQL.
 * AMBIGUOUS is a matching run's tie between candidates (engine/match).
 */
export const SQL_ATTRIBUTED_DIFF_TYPES = ['REJECTED_IN_A', 'REJECTED_IN_B', 'AMBIGUOUS'] as const satisfies readonly DefaultReason[];

/** The reason a break of a row matched by hand is settled with (workflow/manual-matches.ts). */
export const MANUAL_MATCH_REASON = 'MANUAL_MATCH' satisfies DefaultReason;

/** The reason code for a break nobody (model or rule) could explain. */
export const UNKNOWN_REASON = 'UNKNOWN' satisfies DefaultReason;

/** Looks a code up in the default catalogue. */
export function defaultReason(code: string): ReasonCode | undefined {
  return DEFAULT_REASON_CODES.find((r) => r.code === code);
}
