-- A maker may withdraw their own proposal while it waits (approvals.withdraw).
-- The withdrawal is the proposal's outcome, recorded like a verdict: an
-- approvals row with verdict WITHDRAWN whose "approver" is the maker. So a
-- proposal still has at most one outcome, everything that asks "is it
-- pending?" (no approvals row) stays right, and team sync carries it as it
-- carries approvals. SQLite cannot change a CHECK in place: the table is
-- rebuilt with its rows; break_status keeps pointing at them (foreign keys
-- are checked at commit).
PRAGMA defer_foreign_keys = ON;

CREATE TEMP TABLE approvals_before_009 AS SELECT * FROM approvals;
DROP TRIGGER approvals_not_by_maker;
DROP TABLE approvals;

CREATE TABLE approvals (
  approval_id TEXT PRIMARY KEY NOT NULL,
  decision_id TEXT NOT NULL UNIQUE REFERENCES decisions(decision_id),
  device_id TEXT NOT NULL,
  verdict TEXT NOT NULL CHECK (verdict IN ('APPROVED', 'REJECTED', 'WITHDRAWN')),
  approver TEXT NOT NULL REFERENCES users(user_id),
  comment TEXT,
  decided_at TEXT NOT NULL,
  CHECK (verdict <> 'REJECTED' OR comment IS NOT NULL)
) STRICT;

INSERT INTO approvals (approval_id, decision_id, device_id, verdict, approver, comment, decided_at)
SELECT approval_id, decision_id, device_id, verdict, approver, comment, decided_at FROM approvals_before_009;
DROP TABLE approvals_before_009;

-- Defense in depth for the 4-eye rule: the engine refuses first, with a stable code.
CREATE TRIGGER approvals_not_by_maker BEFORE INSERT ON approvals
WHEN NEW.verdict <> 'WITHDRAWN' AND NEW.approver = (SELECT actor FROM decisions WHERE decision_id = NEW.decision_id)
BEGIN
  SELECT RAISE(ABORT, 'FORBIDDEN_SELF_APPROVAL: a proposal cannot be approved by its maker');
END;

-- Only the maker withdraws a proposal.
CREATE TRIGGER approvals_withdrawn_by_maker BEFORE INSERT ON approvals
WHEN NEW.verdict = 'WITHDRAWN' AND NEW.approver IS NOT (SELECT actor FROM decisions WHERE decision_id = NEW.decision_id)
BEGIN
  SELECT RAISE(ABORT, 'FORBIDDEN_ROLE: only the maker of a proposal can withdraw it');
END;
