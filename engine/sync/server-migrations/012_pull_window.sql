-- Pull by window (issue 17, item 15): a new workstation pulls what the work
-- needs (open items, the recent history, optionally some recons only) and the
-- older history on demand (engine/sync/pull-window.ts). These indexes keep
-- each of its queries a range or point lookup at a million events and more;
-- the ordinary incremental pull (by server order) is unchanged.

-- Per device, the first seq of the window: min(seq) over the events at or after
-- a time, an index-only range scan (event times are ISO-8601 text, so text
-- order is time order).
CREATE INDEX audit_events_by_device_at ON recon.audit_events(device_id, at) INCLUDE (seq);

-- Runs in the window, and the latest run of each recon (its open breaks).
CREATE INDEX runs_by_started ON recon.runs(started_at);
CREATE INDEX runs_by_definition ON recon.runs(definition_name, started_at DESC);

-- Decisions and verdicts made in the window (their runs come down whole), and
-- everything of one run or one proposal.
CREATE INDEX decisions_by_decided ON recon.decisions(decided_at);
CREATE INDEX decisions_by_run ON recon.decisions(run_id);
CREATE INDEX approvals_by_decided ON recon.approvals(decided_at);
CREATE INDEX approvals_by_decision ON recon.approvals(decision_id);
CREATE INDEX match_verdicts_by_action ON recon.match_action_verdicts(action_id);
CREATE INDEX definitions_by_name ON recon.definitions(name, server_order);

-- Open items, whatever their age: proposals waiting for an approver (their
-- breaks are PROPOSED) and manual match actions waiting for one. Partial, so
-- the index holds only what is pending.
CREATE INDEX break_status_pending ON recon.break_status(run_id) WHERE status = 'PROPOSED';
CREATE INDEX match_actions_pending ON recon.match_actions(run_id) WHERE needs_approval AND state = 'APPLIED';
