-- Decisions are immutable facts: one row per decision (a bulk decision covers
-- N breaks, listed in decision_breaks, with its filter stored). A proposal's
-- outcome is its approvals row; nothing here is updated after insert.
CREATE TABLE decisions (
  decision_id TEXT PRIMARY KEY NOT NULL,
  device_id TEXT NOT NULL,
  run_id TEXT NOT NULL REFERENCES runs(run_id),
  kind TEXT NOT NULL CHECK (kind IN ('ACCEPT', 'OVERRIDE', 'REJECT', 'REOPEN')),
  reason TEXT REFERENCES reason_codes(code),
  comment TEXT,
  actor TEXT NOT NULL REFERENCES users(user_id),
  decided_at TEXT NOT NULL,
  is_proposal INTEGER NOT NULL CHECK (is_proposal IN (0, 1)),
  bulk_filter TEXT CHECK (bulk_filter IS NULL OR json_valid(bulk_filter)),
  break_count INTEGER NOT NULL CHECK (break_count >= 1),
  CHECK (kind <> 'OVERRIDE' OR (reason IS NOT NULL AND comment IS NOT NULL AND is_proposal = 1)),
  CHECK (kind <> 'REJECT' OR comment IS NOT NULL)
) STRICT;

CREATE INDEX decisions_by_run ON decisions(run_id, decided_at);

-- Per break: where it came from, where the decision takes it once effective,
-- and the reason it carries then (each break's own suggestion for a bulk accept).
CREATE TABLE decision_breaks (
  decision_id TEXT NOT NULL REFERENCES decisions(decision_id),
  break_id INTEGER NOT NULL,
  from_status TEXT NOT NULL CHECK (from_status IN ('AUTO', 'REVIEW', 'PROPOSED', 'ACCEPTED', 'OVERRIDDEN', 'REJECTED')),
  to_status TEXT NOT NULL CHECK (to_status IN ('AUTO', 'REVIEW', 'PROPOSED', 'ACCEPTED', 'OVERRIDDEN', 'REJECTED')),
  reason TEXT REFERENCES reason_codes(code),
  PRIMARY KEY (decision_id, break_id)
) STRICT, WITHOUT ROWID;

-- The checker's verdict on a proposal: at most one per proposal.
CREATE TABLE approvals (
  approval_id TEXT PRIMARY KEY NOT NULL,
  decision_id TEXT NOT NULL UNIQUE REFERENCES decisions(decision_id),
  device_id TEXT NOT NULL,
  verdict TEXT NOT NULL CHECK (verdict IN ('APPROVED', 'REJECTED')),
  approver TEXT NOT NULL REFERENCES users(user_id),
  comment TEXT,
  decided_at TEXT NOT NULL,
  CHECK (verdict <> 'REJECTED' OR comment IS NOT NULL)
) STRICT;

-- Defense in depth for the 4-eye rule: the engine refuses first, with a stable code.
CREATE TRIGGER approvals_not_by_maker BEFORE INSERT ON approvals
WHEN NEW.approver = (SELECT actor FROM decisions WHERE decision_id = NEW.decision_id)
BEGIN
  SELECT RAISE(ABORT, 'FORBIDDEN_SELF_APPROVAL: a proposal cannot be approved by its maker');
END;

-- Current status of a break once a decision has touched it; no row means the
-- attribution's own AUTO/REVIEW status in the run's DuckDB file.
CREATE TABLE break_status (
  run_id TEXT NOT NULL REFERENCES runs(run_id),
  break_id INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('AUTO', 'REVIEW', 'PROPOSED', 'ACCEPTED', 'OVERRIDDEN', 'REJECTED')),
  reason TEXT REFERENCES reason_codes(code),
  decision_id TEXT NOT NULL REFERENCES decisions(decision_id),
  approval_id TEXT REFERENCES approvals(approval_id),
  updated_at TEXT NOT NULL,
  PRIMARY KEY (run_id, break_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX break_status_by_decision ON break_status(decision_id);
