-- Team sync re-derives reason-rule rows from the rule events it pulled, on
-- every cycle (engine/rules/sync-apply.ts). Finding them must not read the
-- whole trail (millions of events after a year): the rule events alone are
-- indexed, a few hundred rows.
CREATE INDEX audit_events_rule_events ON audit_events(device_id, seq) WHERE action LIKE 'rule.%';

-- Pulled rule events examined and deliberately not applied: refused by the
-- team server, an approval by the proposal's own maker (4-eye), a verdict on
-- a proposal already settled here, or an event that does not say what it is
-- about. Recorded once with why, so later cycles neither examine them nor ask
-- the server about them again. A cache of a decision the events themselves
-- determine; the rule tables stay bound to the chain (chain-check.ts).
CREATE TABLE reason_rule_events_not_applied (
  device_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  why TEXT NOT NULL CHECK (why IN ('REFUSED_BY_SERVER', 'SELF_APPROVAL', 'ALREADY_SETTLED', 'MALFORMED')),
  examined_at TEXT NOT NULL,
  PRIMARY KEY (device_id, seq)
) STRICT;
