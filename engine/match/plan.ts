import type { ResolvedDefinition, ResolvedField } from '../definition/resolve.ts';
import { ReconError } from '../errors/recon-error.ts';
import { defaultMatchFields, type Matching, type MatchType } from './definition.ts';

/**
 * A definition's matching block bound to its resolved fields: what the SQL in
 * engine/match/ runs. The schema (match/definition.ts) has already checked
 * names and types at their JSON paths; this only looks the fields up.
 */
export interface MatchPlan {
  rules: PlannedRule[];
  /** The amount field (group sums, the breaks' amounts), when the definition has one. */
  amount: ResolvedField | undefined;
  date: ResolvedField | undefined;
  maxGroupCandidates: number;
}

export interface PlannedRule {
  /** Position in the definition, from 0: matches.csv's rule order. */
  index: number;
  name: string;
  type: MatchType;
  /** Fields whose normalized values are equal on both sides (and, in a group, on every row). */
  equal: ResolvedField[];
  amount: { field: ResolvedField; abs: string | undefined; rel: string | undefined } | undefined;
  date: { field: ResolvedField; days: number | undefined; businessDays: number | undefined } | undefined;
  reference: { field: ResolvedField; textOn: 'a' | 'b'; minLength: number } | undefined;
  similar: { field: ResolvedField; min: number }[];
  /** Group rules: the fields a group's rows share. */
  groupBy: ResolvedField[];
  /** Group rules: the most rows in a group. */
  maxGroupSize: number;
}

export function planMatching(resolved: ResolvedDefinition, matching: Matching): MatchPlan {
  const field = (name: string): ResolvedField => {
    const f = resolved.fields.find((x) => x.name.toLowerCase() === name.toLowerCase());
    if (!f) throw new ReconError('DEFINITION_INVALID', `matching: "${name}" is not one of the definition's fields`);
    return f;
  };
  const defaults = defaultMatchFields(resolved.fields, matching);
  const rules = matching.rules.map((rule, index): PlannedRule => {
    const planned: PlannedRule = {
      index,
      name: rule.name,
      type: rule.type,
      equal: [],
      amount: undefined,
      date: undefined,
      reference: undefined,
      similar: [],
      groupBy: (rule.groupBy ?? []).map(field),
      maxGroupSize: rule.maxGroupSize ?? matching.maxGroupSize,
    };
    for (const c of rule.conditions) {
      if ('equal' in c) planned.equal.push(field(c.equal));
      else if ('amount' in c) planned.amount = { field: field(c.amount.field ?? defaults.amount!), abs: c.amount.abs, rel: c.amount.rel };
      else if ('date' in c) planned.date = { field: field(c.date.field ?? defaults.date!), days: c.date.days, businessDays: c.date.businessDays };
      else if ('reference' in c) planned.reference = { field: field(c.reference.field), textOn: c.reference.textOn, minLength: c.reference.minLength };
      else planned.similar.push({ field: field(c.similar.field), min: c.similar.min });
    }
    return planned;
  });
  return {
    rules,
    amount: defaults.amount !== undefined ? field(defaults.amount) : undefined,
    date: defaults.date !== undefined ? field(defaults.date) : undefined,
    maxGroupCandidates: matching.maxGroupCandidates,
  };
}
