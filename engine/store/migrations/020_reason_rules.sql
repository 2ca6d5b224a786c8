-- Reason rules (issue 20, engine/rules): a team's governed rules "breaks like
-- these have this reason", applied before the model. Every change is a
-- proposal under the 4-eye rule. Each row is written once, in the transaction
-- of the audit event that explains it, and never changed (chain-state.ts
-- checks every row against its event): a proposal, its one verdict, and the
-- rule version an approval made (a retirement is a version too, retired = 1).
CREATE TABLE reason_rule_proposals (
  proposal_id TEXT PRIMARY KEY NOT NULL,
  device_id TEXT NOT NULL,              -- the device whose rule.proposed event made it
  rule_id TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('CREATE', 'CHANGE', 'RETIRE')),
  base_version INTEGER,                 -- the version changed or retired; NULL for CREATE
  body TEXT,                            -- the rule proposed (stable JSON); NULL for RETIRE
  maker TEXT NOT NULL,
  proposed_at TEXT NOT NULL,
  comment TEXT,
  CHECK ((kind = 'CREATE') = (base_version IS NULL)),
  CHECK ((kind = 'RETIRE') = (body IS NULL))
) STRICT;
CREATE INDEX reason_rule_proposals_by_rule ON reason_rule_proposals(rule_id);

CREATE TABLE reason_rule_verdicts (
  verdict_id TEXT PRIMARY KEY NOT NULL,
  proposal_id TEXT NOT NULL UNIQUE REFERENCES reason_rule_proposals(proposal_id),
  device_id TEXT NOT NULL,
  verdict TEXT NOT NULL CHECK (verdict IN ('APPROVED', 'REJECTED', 'WITHDRAWN')),
  actor TEXT NOT NULL,
  decided_at TEXT NOT NULL,
  comment TEXT
) STRICT;

-- The versions approvals made. The version in force of a rule is its highest
-- (version, approved_at, proposal_id): the same on every device, even when two
-- devices approved a change of the same version while apart.
CREATE TABLE reason_rules (
  proposal_id TEXT PRIMARY KEY NOT NULL,
  verdict_id TEXT NOT NULL UNIQUE,
  device_id TEXT NOT NULL,              -- the device whose approval event made it
  rule_id TEXT NOT NULL,
  version INTEGER NOT NULL CHECK (version >= 1),
  name TEXT NOT NULL,
  owner TEXT NOT NULL,
  definition TEXT,                      -- scope: a definition's name; NULL: every definition
  position INTEGER NOT NULL,            -- the rule's order: lower first, the first match wins
  active INTEGER NOT NULL CHECK (active IN (0, 1)),
  retired INTEGER NOT NULL CHECK (retired IN (0, 1)),
  reason TEXT NOT NULL,
  body TEXT NOT NULL,                   -- the rule as approved (stable JSON)
  conditions_sha256 TEXT NOT NULL,      -- over the reason and the conditions: what a run records
  approved_by TEXT NOT NULL,
  approved_at TEXT NOT NULL
) STRICT;
CREATE INDEX reason_rules_by_rule ON reason_rules(rule_id, version);

-- Written once: the app never updates or deletes these rows (an editor of the
-- file can drop the triggers; `recon audit verify` still finds the row).
CREATE TRIGGER reason_rule_proposals_append_only BEFORE UPDATE ON reason_rule_proposals
BEGIN SELECT RAISE(ABORT, 'reason_rule_proposals rows are written once'); END;
CREATE TRIGGER reason_rule_proposals_no_delete BEFORE DELETE ON reason_rule_proposals
BEGIN SELECT RAISE(ABORT, 'reason_rule_proposals rows are written once'); END;
CREATE TRIGGER reason_rule_verdicts_append_only BEFORE UPDATE ON reason_rule_verdicts
BEGIN SELECT RAISE(ABORT, 'reason_rule_verdicts rows are written once'); END;
CREATE TRIGGER reason_rule_verdicts_no_delete BEFORE DELETE ON reason_rule_verdicts
BEGIN SELECT RAISE(ABORT, 'reason_rule_verdicts rows are written once'); END;
CREATE TRIGGER reason_rules_append_only BEFORE UPDATE ON reason_rules
BEGIN SELECT RAISE(ABORT, 'reason_rules rows are written once'); END;
CREATE TRIGGER reason_rules_no_delete BEFORE DELETE ON reason_rules
BEGIN SELECT RAISE(ABORT, 'reason_rules rows are written once'); END;
