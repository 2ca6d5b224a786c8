import type { DefinitionInput, FieldAdjust, FieldInput } from '../definition/schema.ts';
import { ReconError } from '../errors/recon-error.ts';
import type { RuleProposal } from './types.ts';

/**
 * Accepting rule proposals: inference measures patterns (B = A × 100, dates
 * one business day late) and a person decides which become rules. Pure and
 * free of Node imports, so the UI can run the same merge.
 */

/** What accepting needs from a proposal. */
export type AcceptedRule = Pick<RuleProposal, 'field' | 'adjust'> & Partial<Pick<RuleProposal, 'tolerance'>>;

/**
 * The proposals `--accept-rules` takes: column-wide ones only, and per field
 * the one explaining the most records (a calendar and a business-day shift
 * of the same dates can both be column-wide; only one can be the rule) —
 * one `adjust` and one tolerance, which inference never proposes together.
 */
export function columnWideProposals(proposals: readonly RuleProposal[]): RuleProposal[] {
  const best = new Map<string, RuleProposal>();
  const slot = (p: RuleProposal): string => `${p.field.toLowerCase()}\u0000${p.tolerance ? 'tolerance' : 'adjust'}`;
  for (const p of proposals) {
    if (!p.columnWide) continue;
    const seen = best.get(slot(p));
    if (!seen || p.explains > seen.explains) best.set(slot(p), p);
  }
  return proposals.filter((p) => best.get(slot(p)) === p);
}

/**
 * A new definition with each proposal's `adjust` merged into its field, side
 * by side, and its `tolerance` (abs, rel or days) set on the field: a proposal's rule for a side replaces the rule that side had (the
 * proposals are measured on unadjusted values, so they never compose). The
 * input is not changed. A proposal naming a field the definition lacks is an error.
 */
export function applyRuleProposals<D extends DefinitionInput>(definition: D, proposals: readonly AcceptedRule[]): D {
  const fields: FieldInput[] = (definition.fields ?? []).map((f) => ({ ...f }));
  for (const p of proposals) {
    const field = fields.find((f) => f.name === p.field) ?? fields.find((f) => f.name.toLowerCase() === p.field.toLowerCase());
    if (!field) {
      throw new ReconError('DEFINITION_INVALID', `rule proposal for field "${p.field}", which the definition does not list (${fields.map((f) => f.name).join(', ')})`, {
        field: p.field,
      });
    }
    // A tolerance proposal's adjust is empty: it adds no `adjust` to the field.
    if (p.adjust.a || p.adjust.b) field.adjust = mergeAdjust(field.adjust, p.adjust);
    if (p.tolerance) field.tolerance = { ...field.tolerance, ...p.tolerance };
  }
  return { ...definition, fields };
}

function mergeAdjust(current: FieldAdjust | undefined, added: FieldAdjust): FieldAdjust {
  const out: FieldAdjust = { ...current };
  if (added.a) out.a = { ...added.a };
  if (added.b) out.b = { ...added.b };
  return out;
}
