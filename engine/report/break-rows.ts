import type { Break } from '../run-file/break.ts';
import { breakBatches } from '../run-file/break-batches.ts';
import type { FinishedRun } from '../run-file/finished-run.ts';
import type { DecisionInfo, DecisionReader } from './decisions.ts';
import { breakMemoryRange, type BreakMemory } from './memory.ts';
import { breakRuleRange, hasRuleColumns, type BreakRule } from './rule-rows.ts';

/**
 * A break as the detailed exports write it: with any reviewer decision, its memory (none for a run from
 * before break memory) and the reason rule that gave its reason (none where the model's stands, or before rules).
 */
export type ExportedBreak = Break & { decision: DecisionInfo | undefined; memory: BreakMemory | undefined; rule?: BreakRule | undefined };

/** Every break of a run with its attribution, any reviewer decision, its memory and rule, in break-id order, a batch at a time; those are looked up per batch. */
export async function* exportedBreaks(run: FinishedRun, decisions: DecisionReader, size = 10_000): AsyncGenerator<ExportedBreak[]> {
  const rules = await hasRuleColumns(run);
  for await (const batch of breakBatches(run.conn, run.hasAttributions, size)) {
    const found = decisions.range(batch.first, batch.last);
    const memory = await breakMemoryRange(run, batch.first, batch.last);
    const byRule = rules ? await breakRuleRange(run, batch.first, batch.last) : new Map<number, BreakRule>();
    yield batch.breaks.map((b) => ({ ...b, decision: found.get(b.breakId), memory: memory.get(b.breakId), rule: byRule.get(b.breakId) }));
  }
}

/** A break's status now: the reviewer's when decided, else the model's. */
export function currentStatus(r: ExportedBreak): string {
  return r.decision?.status ?? r.modelStatus ?? 'REVIEW';
}
