/**
 * Break memory for matching runs: the manual matches in force on the series'
 * previous run carry to the next run, as decisions on breaks do
 * (workflow/carry.ts). A daily cash recon sees yesterday's open items again
 * today; once someone matched two of them by hand, today's run should not
 * show them as open. A manual match carries when every one of its rows is in
 * the new run by id (the file's spelling), matching could take it, and the
 * rules left it unmatched; it is recorded as a manual match of the new run by
 * the same person, in force at once (it was approved or needed no approval),
 * with its origin in the audit event. Matches whose rows are gone or were
 * matched by the rules there do not carry; pending ones do not either.
 */
import type { MatchAction } from '../contract/index.ts';
import { overlayActions } from '../run-file/matching/action-overlay.ts';
import { matchingLayout } from '../run-file/matching/layout.ts';
import { readRowBreaks } from '../run-file/matching/row-breaks.ts';
import { idKey, readRowsById } from '../run-file/matching/rows-by-id.ts';
import { readRuleMatchOfRows } from '../run-file/matching/rule-matches.ts';
import { RunFile } from '../run-file/run-file.ts';
import type { Store } from '../store/store.ts';
import type { Identity } from '../workflow/identity.ts';
import { listMatchActions, manualMatch } from '../workflow/manual-matches.ts';

export interface MatchCarryResult {
  carried: MatchAction[];
  /** Manual matches in force on the previous run that did not carry, and why. */
  skipped: { matchId: string; why: string }[];
}

/**
 * `actor` is who ran the new run: the carried match is recorded as theirs (team sync takes an
 * event only over its actor's own login), with the original maker named in its comment.
 */
export async function carryManualMatches(store: Store, actor: Identity, opts: { runId: string; previousRunId: string; runFilePath: string }): Promise<MatchCarryResult> {
  const manual = [...overlayActions(listMatchActions(store, { runId: opts.previousRunId })).manual.values()];
  const result: MatchCarryResult = { carried: [], skipped: [] };
  if (manual.length === 0) return result;
  const db = await RunFile.open(opts.runFilePath, { runId: opts.runId, memoryLimit: '256MB' });
  try {
    const layout = await matchingLayout(db);
    const found = await readRowsById(
      db,
      layout,
      manual.flatMap((m) => m.rows.map((r) => ({ side: r.side, id: r.id }))),
    );
    for (const m of manual) {
      const rows = m.rows.map((r) => found.get(idKey(r.side, r.id)));
      const missing = m.rows.filter((_, i) => rows[i] === undefined || !rows[i]!.eligible);
      if (missing.length > 0) {
        result.skipped.push({ matchId: m.matchId, why: `${missing.map((r) => `${r.side.toUpperCase()} ${r.id}`).join(', ')} not in the new run (or not matchable there)` });
        continue;
      }
      const refs = rows.map((r) => ({ side: r!.side, rid: r!.rid }));
      const ruleMatchOfRow = await readRuleMatchOfRows(db, refs);
      if (ruleMatchOfRow.size > 0) {
        result.skipped.push({ matchId: m.matchId, why: `the rules matched ${[...ruleMatchOfRow.values()].join(', ')} in the new run` });
        continue;
      }
      const breaks = (await readRowBreaks(db, refs)).map((b) => ({ breakId: b.breakId, baseStatus: b.baseStatus }));
      try {
        const action = manualMatch(store, actor, {
          runId: opts.runId,
          rows: rows.map((r) => ({ side: r!.side, rid: r!.rid, id: r!.id, amount: r!.amount })),
          comment: `carried from run ${opts.previousRunId} (${m.matchId}, matched by ${m.maker}): ${m.comment ?? ''}`.trim(),
          breaks,
          ruleMatchOfRow,
          carriedFrom: { runId: opts.previousRunId, matchId: m.matchId },
        });
        result.carried.push(action);
      } catch (err) {
        // The run's user has no analyst role, or someone matched a row meanwhile: the match stays for a person to redo.
        result.skipped.push({ matchId: m.matchId, why: err instanceof Error ? err.message : String(err) });
      }
    }
  } finally {
    await db.close();
  }
  return result;
}
