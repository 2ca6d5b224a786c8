/**
 * Reason rules (issue 20): team-owned, governed statements "breaks like these
 * have this reason", applied in SQL before the model wins. Not to be confused
 * with attribution/rules.ts, the engine's own built-in heuristics (sign flip,
 * FX, rounding): those are code; these are data a team writes, approves and
 * syncs. A rule is conditions (all must hold) → one reason code.
 */
import { z } from 'zod';
import { ReconError } from '../errors/recon-error.ts';

/** The diff types a rule may name (diff/sql.ts, match/). */
export const RULE_DIFF_TYPES = ['MISMATCH', 'MISSING_IN_A', 'MISSING_IN_B', 'REJECTED_IN_A', 'REJECTED_IN_B', 'DUPLICATE_KEY'] as const;
/** Break memory's lifecycles (series/link.ts). */
export const RULE_LIFECYCLES = ['NEW', 'CARRIED', 'CHANGED'] as const;

/** `previousReason: "SAME"`: the previous run's reason was this rule's own reason. */
export const SAME_REASON = 'SAME';

const oneOrMany = <T extends z.ZodType>(t: T) => z.union([t, z.array(t).min(1, 'expected at least one value')]);

/** RE2 (DuckDB's regexes) has no lookaround and no backreferences: refused here, not in the middle of a run. */
const pattern = z
  .string()
  .min(1, 'expected a non-empty regular expression')
  .max(500, 'expected at most 500 characters')
  .refine((p) => !/\(\?<?[=!]|\\[1-9]/.test(p), 'expected an RE2 regular expression: no lookaround (?= (?! (?<= (?<! and no backreferences \\1')
  .refine((p) => {
    try {
      new RegExp(p);
      return true;
    } catch {
      return false;
    }
  }, 'expected a valid regular expression');

/** A test on a text value (a side's value, or a field of the record): all given parts must hold. */
export const valueTestSchema = z
  .object({
    equals: z.string().optional(),
    in: z.array(z.string()).min(1, 'expected at least one value').max(10_000).optional(),
    notIn: z.array(z.string()).min(1, 'expected at least one value').max(10_000).optional(),
    /** Matched anywhere in the value (anchor with ^…$); RE2 syntax. */
    pattern: pattern.optional(),
    /** true: the value is absent (NULL); false: present. */
    empty: z.boolean().optional(),
  })
  .strict()
  .refine((t) => Object.keys(t).length > 0, 'expected at least one of equals, in, notIn, pattern, empty');

const finite = z.number().refine(Number.isFinite, 'expected a finite number');

/** A test on a number (the delta B − A, the ratio B/A): all given parts must hold. */
export const numberTestSchema = z
  .object({
    min: finite.optional(),
    max: finite.optional(),
    absMin: finite.nonnegative().optional(),
    absMax: finite.nonnegative().optional(),
    /** The value equals this, within `tolerance`. */
    equals: finite.optional(),
    /** The value equals one of these, within `tolerance` (a ratio of 1000 or 0.001). */
    oneOf: z.array(finite).min(1, 'expected at least one number').max(100).optional(),
    /** The value is a whole multiple of this (not 0), within `tolerance`. */
    multipleOf: finite.refine((x) => x !== 0, 'expected a number other than 0').optional(),
    /** Absolute tolerance for equals, oneOf and multipleOf (default 0: exact). */
    tolerance: finite.nonnegative().optional(),
  })
  .strict()
  .refine((t) => Object.keys(t).some((k) => k !== 'tolerance'), 'expected at least one of min, max, absMin, absMax, equals, oneOf, multipleOf')
  .refine((t) => t.min === undefined || t.max === undefined || t.min <= t.max, 'expected min ≤ max');

const int = z.number().int('expected a whole number');

/** The day shift of a date field (B − A in days). */
export const dayShiftSchema = z
  .object({ equals: int.optional(), min: int.optional(), max: int.optional(), absMax: int.nonnegative().optional() })
  .strict()
  .refine((t) => Object.keys(t).length > 0, 'expected at least one of equals, min, max, absMax');

/** The break's history in its series (break memory). */
export const historySchema = z
  .object({
    lifecycle: oneOrMany(z.enum(RULE_LIFECYCLES)).optional(),
    /** Seen in at least this many consecutive runs, this one included. */
    minAgeRuns: int.min(1, 'expected at least 1').optional(),
    /** The previous run's reason (its decision's, else the attribution's when AUTO); "SAME": this rule's reason. */
    previousReason: z.string().min(1).optional(),
    /** A reviewer's decision was on the previous run's break. */
    previouslyDecided: z.boolean().optional(),
  })
  .strict()
  .refine((t) => Object.keys(t).length > 0, 'expected at least one of lifecycle, minAgeRuns, previousReason, previouslyDecided');

const recordTests = z.record(z.string().min(1, 'expected a field name'), valueTestSchema).refine((r) => Object.keys(r).length > 0, 'expected at least one field');

/** What must hold of a break for the rule to give it its reason: every condition given. */
export const conditionsSchema = z
  .object({
    /** The break's field (the definition's field name; `*` for whole-record breaks). */
    field: oneOrMany(z.string().min(1)).optional(),
    diffType: oneOrMany(z.enum(RULE_DIFF_TYPES)).optional(),
    valueA: valueTestSchema.optional(),
    valueB: valueTestSchema.optional(),
    /** B − A (numbers). */
    delta: numberTestSchema.optional(),
    /** B / A (numbers; A ≠ 0). */
    ratio: numberTestSchema.optional(),
    dayShift: dayShiftSchema.optional(),
    /** Fields of the break's record on side A / B (book, currency, counterparty …), compared as text. */
    recordA: recordTests.optional(),
    recordB: recordTests.optional(),
    history: historySchema.optional(),
  })
  .strict()
  .refine((c) => Object.keys(c).length > 0, 'expected at least one condition: a rule with none would give every break its reason');

const REASON_CODE = /^[A-Z][A-Z0-9_]*$/;

/** A rule as a person writes it (a file, flags, a draft): what a proposal carries. */
export const reasonRuleDraftSchema = z
  .object({
    name: z.string().trim().min(1, 'expected a name').max(120, 'expected at most 120 characters'),
    description: z.string().max(2000).optional(),
    reason: z.string().regex(REASON_CODE, 'expected a reason code in UPPER_SNAKE_CASE'),
    /** A definition's name, or null/absent: every definition of the workspace. */
    definition: z.string().trim().min(1, 'expected a definition name, or null for the workspace').nullable().optional(),
    /** Rules apply in ascending order; the first that matches wins. */
    order: int.min(0, 'expected 0 or more').max(1_000_000).optional(),
    active: z.boolean().optional(),
    /** Who answers for the rule (a user id); the maker when absent. */
    owner: z.string().trim().min(1).max(256).optional(),
    conditions: conditionsSchema,
  })
  .strict();

export type ReasonRuleDraft = z.infer<typeof reasonRuleDraftSchema>;
export type ReasonRuleConditions = z.infer<typeof conditionsSchema>;
export type ValueTest = z.infer<typeof valueTestSchema>;
export type NumberTest = z.infer<typeof numberTestSchema>;

/** A rule as stored and applied: the draft with its defaults filled in. */
export interface ReasonRuleBody {
  name: string;
  description?: string;
  reason: string;
  definition: string | null;
  order: number;
  active: boolean;
  owner: string;
  conditions: ReasonRuleConditions;
}

/** Validates a rule (from a file, flags or a caller); INVALID_ARGUMENT names each field and what was expected. */
export function parseReasonRule(input: unknown, defaults: { owner: string }): ReasonRuleBody {
  const r = reasonRuleDraftSchema.safeParse(input);
  if (!r.success) {
    const lines = r.error.issues.slice(0, 10).map((i) => `${i.path.length > 0 ? i.path.join('.') : '(rule)'}: ${i.message}`);
    throw new ReconError('INVALID_ARGUMENT', `invalid reason rule: ${lines.join('; ')}`, { issues: lines });
  }
  const d = r.data;
  return {
    name: d.name,
    ...(d.description ? { description: d.description } : {}),
    reason: d.reason,
    definition: d.definition ?? null,
    order: d.order ?? 100,
    active: d.active ?? true,
    owner: d.owner ?? defaults.owner,
    conditions: d.conditions,
  };
}

/** JSON with keys sorted at every level: the stored body, the same text on every device. Floats are kept as JavaScript prints them. */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}
