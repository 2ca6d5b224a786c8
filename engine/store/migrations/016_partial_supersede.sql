-- Breaks a decision or proposal lost on the team server to another device's
-- earlier decision (server migration 011): the decision keeps its other
-- breaks, and these rows say which it lost, to whom and with what, so the
-- loser is told (inbox, `recon review proposals`, `recon sync status`) and an
-- approval settles only the breaks the proposal still holds. Sync
-- bookkeeping, like sync_decisions: no audit event, rows come with the pull.
CREATE TABLE sync_superseded_breaks (
  decision_id TEXT NOT NULL,
  break_id INTEGER NOT NULL,
  -- The winner: the decision that held the break on the server.
  superseded_by TEXT NOT NULL,
  -- What the winner had made of the break then.
  status TEXT NOT NULL,
  reason TEXT,
  server_order INTEGER NOT NULL,
  PRIMARY KEY (decision_id, break_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX sync_superseded_breaks_by_winner ON sync_superseded_breaks(superseded_by);

-- The loser read the inbox item of a decision's lost breaks and dismissed it.
-- Not a decision (nothing changes in the workflow), so not audited.
CREATE TABLE sync_conflict_acks (
  decision_id TEXT PRIMARY KEY NOT NULL,
  acknowledged_by TEXT NOT NULL,
  acknowledged_at TEXT NOT NULL
) STRICT;
