-- The engine checks the workflow rows it acts on against the audit events that
-- wrote them (workflow/chain-state.ts): a user's latest role event, a setting's
-- latest change, a decision's or verdict's own event. These indexes find each
-- event without a scan of the whole trail.
CREATE INDEX audit_events_by_target ON audit_events(device_id, target, seq);

CREATE INDEX audit_events_by_decision ON audit_events(json_extract(after, '$.decision.decision_id'))
WHERE action IN ('decision.applied', 'decision.proposed');

CREATE INDEX audit_events_by_approval ON audit_events(json_extract(after, '$.approval_id'))
WHERE action IN ('proposal.approved', 'proposal.rejected', 'proposal.withdrawn');

-- The decision that settled a manual match's breaks is recorded inside the match's event.
CREATE INDEX audit_events_by_settle ON audit_events(json_extract(after, '$.settle.decision_id'))
WHERE action IN ('match.manual', 'match.unmatched', 'match.approved');
