/**
 * What is matched now in a matching run: the run file's rule matches, minus
 * those undone by an UNMATCH in force, plus the manual MATCHes in force that
 * were not undone since. Pure: it takes the store's actions
 * (workflow/manual-matches.ts listMatchActions, oldest first) and answers per
 * row and per match id, so a reader joins it with what it read from the file
 * (rule-matches.ts) without holding the file's matches in memory.
 */
import type { MatchAction } from '../../contract/index.ts';
import { rowKey } from './rows-by-rid.ts';

/** True when the action is in force: it needed no approval, or it was approved. */
const inForce = (a: Pick<MatchAction, 'state'>): boolean => a.state === 'EFFECTIVE' || a.state === 'APPROVED';

export interface ActionOverlay {
  /** Match ids (a rule's 'M…' or a manual 'U…') undone by an UNMATCH in force. */
  undone: ReadonlySet<string>;
  /** Manual matches in force and not undone, by match id (the MATCH action). */
  manual: ReadonlyMap<string, MatchAction>;
  /** The manual match each row is in now, by rowKey. */
  manualMatchOfRow: ReadonlyMap<string, string>;
  /** Rows held by a PENDING MATCH, by rowKey → the action. */
  pendingMatchOfRow: ReadonlyMap<string, MatchAction>;
  /** Match ids held by a PENDING UNMATCH → the action. */
  pendingUnmatchOf: ReadonlyMap<string, MatchAction>;
  /** Rows of undone matches not matched again since, by rowKey → the match id undone (the view's UNDONE rows). */
  undoneRowOf: ReadonlyMap<string, string>;
}

/** Applies the actions, oldest first. Match ids are never reused, so an undone match stays undone. */
export function overlayActions(actions: readonly MatchAction[]): ActionOverlay {
  const undone = new Set<string>();
  const matches = new Map<string, MatchAction>();
  const pendingMatchOfRow = new Map<string, MatchAction>();
  const pendingUnmatchOf = new Map<string, MatchAction>();
  const undoneActions: MatchAction[] = [];
  for (const a of actions) {
    if (a.state === 'PENDING') {
      if (a.kind === 'MATCH') for (const r of a.rows) pendingMatchOfRow.set(rowKey(r), a);
      else pendingUnmatchOf.set(a.matchId, a);
      continue;
    }
    if (!inForce(a)) continue;
    if (a.kind === 'MATCH') matches.set(a.matchId, a);
    else {
      undone.add(a.matchId);
      undoneActions.push(a);
    }
  }
  const manual = new Map([...matches].filter(([id]) => !undone.has(id)));
  const manualMatchOfRow = new Map<string, string>();
  for (const [id, a] of manual) for (const r of a.rows) manualMatchOfRow.set(rowKey(r), id);
  const undoneRowOf = new Map<string, string>();
  for (const a of undoneActions) for (const r of a.rows) if (!manualMatchOfRow.has(rowKey(r))) undoneRowOf.set(rowKey(r), a.matchId);
  return { undone, manual, manualMatchOfRow, pendingMatchOfRow, pendingUnmatchOf, undoneRowOf };
}

/** The match a row is in now, given the rule match the run file puts it in (if any); undefined when unmatched. */
export function matchOfRowNow(overlay: ActionOverlay, key: string, ruleMatchId: string | undefined): string | undefined {
  const manual = overlay.manualMatchOfRow.get(key);
  if (manual !== undefined) return manual;
  return ruleMatchId !== undefined && !overlay.undone.has(ruleMatchId) ? ruleMatchId : undefined;
}
