-- Manual match and unmatch in a matching run (engine/match; docs/MATCHING.md).
-- A row here is a fact, never updated: a person matched rows of both sides by
-- hand (MATCH, a new match id) or undid a match made by a rule or by hand
-- (UNMATCH, the match's id). Above the workspace's matching.approvalAbove
-- amount it needs a second person (needs_approval = 1): its outcome is its one
-- match_action_verdicts row (APPROVED or REJECTED by an approver, WITHDRAWN by
-- its maker). What is matched now is the run file's matches with the
-- effective actions applied in order (workflow/manual-matches.ts).
CREATE TABLE match_actions (
  action_id TEXT PRIMARY KEY NOT NULL,
  device_id TEXT NOT NULL,
  run_id TEXT NOT NULL REFERENCES runs(run_id),
  kind TEXT NOT NULL CHECK (kind IN ('MATCH', 'UNMATCH')),
  match_id TEXT NOT NULL,
  -- The rows: [{"side": "a", "rid": 12, "id": "LE0001"}, ...].
  rows_json TEXT NOT NULL CHECK (json_valid(rows_json) AND json_array_length(rows_json) >= 1),
  -- The run file's breaks of those rows that follow the match (MISSING_IN_A/B, AMBIGUOUS),
  -- with the attribution's status: [[break_id, "AUTO" | "REVIEW"], ...]. Kept here because
  -- an approver on another device settles them without the run file.
  breaks_json TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(breaks_json)),
  sum_a TEXT,
  sum_b TEXT,
  difference TEXT,
  comment TEXT NOT NULL,
  actor TEXT NOT NULL REFERENCES users(user_id),
  decided_at TEXT NOT NULL,
  needs_approval INTEGER NOT NULL CHECK (needs_approval IN (0, 1))
) STRICT;

CREATE INDEX match_actions_by_run ON match_actions(run_id, decided_at);
CREATE INDEX match_actions_by_match ON match_actions(run_id, match_id);

CREATE TABLE match_action_verdicts (
  action_id TEXT PRIMARY KEY NOT NULL REFERENCES match_actions(action_id),
  device_id TEXT NOT NULL,
  verdict TEXT NOT NULL CHECK (verdict IN ('APPROVED', 'REJECTED', 'WITHDRAWN')),
  approver TEXT NOT NULL REFERENCES users(user_id),
  comment TEXT,
  decided_at TEXT NOT NULL,
  CHECK (verdict <> 'REJECTED' OR comment IS NOT NULL)
) STRICT;

-- The team server's verdict on each match action and verdict it holds (engine/sync):
-- an action another device's beat to its rows is SUPERSEDED, one the server's roles
-- refuse REFUSED; it stays in match_actions (history) without effect. Not audited.
CREATE TABLE sync_match_actions (
  id TEXT PRIMARY KEY NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('action', 'verdict')),
  action_id TEXT NOT NULL,
  device_id TEXT NOT NULL,
  server_order INTEGER NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('APPLIED', 'SUPERSEDED', 'REFUSED')),
  detail TEXT,
  synced_at TEXT NOT NULL
) STRICT;

CREATE INDEX sync_match_actions_by_action ON sync_match_actions(action_id);

-- The 4-eye rule, in the store too: the engine refuses first, with a stable code.
CREATE TRIGGER match_verdicts_not_by_maker BEFORE INSERT ON match_action_verdicts
WHEN NEW.verdict <> 'WITHDRAWN' AND NEW.approver = (SELECT actor FROM match_actions WHERE action_id = NEW.action_id)
BEGIN
  SELECT RAISE(ABORT, 'FORBIDDEN_SELF_APPROVAL: a manual match cannot be approved by its maker');
END;

CREATE TRIGGER match_withdrawn_by_maker BEFORE INSERT ON match_action_verdicts
WHEN NEW.verdict = 'WITHDRAWN' AND NEW.approver <> (SELECT actor FROM match_actions WHERE action_id = NEW.action_id)
BEGIN
  SELECT RAISE(ABORT, 'FORBIDDEN: only its maker may withdraw a manual match');
END;

-- Only an action that waits for an approver gets a verdict.
CREATE TRIGGER match_verdicts_only_pending BEFORE INSERT ON match_action_verdicts
WHEN (SELECT needs_approval FROM match_actions WHERE action_id = NEW.action_id) IS NOT 1
BEGIN
  SELECT RAISE(ABORT, 'ILLEGAL_TRANSITION: this manual match needed no approval');
END;

CREATE TRIGGER match_actions_immutable BEFORE UPDATE ON match_actions
BEGIN
  SELECT RAISE(ABORT, 'match_actions rows are facts and are never updated');
END;

CREATE TRIGGER match_actions_no_delete BEFORE DELETE ON match_actions
BEGIN
  SELECT RAISE(ABORT, 'match_actions rows are facts and are never deleted');
END;

CREATE TRIGGER match_verdicts_immutable BEFORE UPDATE ON match_action_verdicts
BEGIN
  SELECT RAISE(ABORT, 'match_action_verdicts rows are facts and are never updated');
END;

CREATE TRIGGER match_verdicts_no_delete BEFORE DELETE ON match_action_verdicts
BEGIN
  SELECT RAISE(ABORT, 'match_action_verdicts rows are facts and are never deleted');
END;
