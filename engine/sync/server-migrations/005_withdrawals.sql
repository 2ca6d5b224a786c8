-- A maker may withdraw their own proposal while it waits (proposal.withdrawn).
-- It is projected like an approval with verdict WITHDRAWN, by the maker only
-- (no approver role needed: the proposal is theirs), and only while the
-- proposal still holds its breaks; its breaks go back to where they were. A
-- withdrawal and an approval racing for one proposal: the first in server
-- order applies, the other is SUPERSEDED (approvals_one_applied).

CREATE OR REPLACE FUNCTION recon.project_approval(ev recon.audit_events, ord BIGINT) RETURNS TEXT[]
LANGUAGE plpgsql AS $$
DECLARE
  a JSONB := (ev.event::jsonb)->'after';
  did TEXT := substring(ev.target FROM 10);
  aid TEXT := a->>'approval_id';
  verdict TEXT := a->>'verdict';
  withdrawal BOOLEAN := ev.action = 'proposal.withdrawn';
  dec RECORD;
  v_state TEXT := 'APPLIED';
  v_code TEXT;
  v_msg TEXT;
BEGIN
  IF ev.target NOT LIKE 'decision:%' OR aid IS NULL OR verdict IS NULL OR verdict NOT IN ('APPROVED', 'REJECTED', 'WITHDRAWN')
     OR withdrawal <> (verdict = 'WITHDRAWN') THEN
    RETURN ARRAY['REFUSED', 'MALFORMED', 'approval event without a well-formed approval'];
  END IF;
  IF EXISTS (SELECT 1 FROM recon.approvals WHERE approval_id = aid) THEN
    RETURN ARRAY['REFUSED', 'DUPLICATE_ID', format('approval %s already exists', aid)];
  END IF;
  SELECT * INTO dec FROM recon.decisions WHERE decision_id = did;
  IF NOT FOUND OR NOT dec.is_proposal THEN
    v_state := 'REFUSED'; v_code := 'UNKNOWN_PROPOSAL'; v_msg := format('no proposal %s on the server', did);
  ELSIF withdrawal AND dec.actor <> ev.actor THEN
    v_state := 'REFUSED'; v_code := 'FORBIDDEN_ROLE'; v_msg := format('only %s, who made proposal %s, can withdraw it', dec.actor, did);
  ELSIF NOT withdrawal AND dec.actor = ev.actor THEN
    v_state := 'REFUSED'; v_code := 'FORBIDDEN_SELF_APPROVAL'; v_msg := format('%s made proposal %s and cannot approve or reject it', ev.actor, did);
  ELSIF recon.login_mismatch(ev.actor) THEN
    v_state := 'REFUSED'; v_code := 'LOGIN_MISMATCH'; v_msg := format('%s must push over their own database login, not %s', ev.actor, session_user);
  ELSIF NOT withdrawal AND NOT recon.has_role(ev.actor, 'approver') THEN
    v_state := 'REFUSED'; v_code := 'FORBIDDEN_ROLE'; v_msg := format('%s does not hold the approver role on the team server', ev.actor);
  ELSIF dec.state <> 'APPLIED' THEN
    v_state := 'REFUSED'; v_code := 'PROPOSAL_NOT_PENDING'; v_msg := format('proposal %s is %s on the server', did, dec.state);
  ELSIF EXISTS (SELECT 1 FROM recon.approvals WHERE decision_id = did AND state = 'APPLIED')
     OR EXISTS (SELECT 1 FROM recon.decision_breaks db
                  LEFT JOIN recon.break_status s ON s.run_id = dec.run_id AND s.break_id = db.break_id
                 WHERE db.decision_id = did AND (s.decision_id IS DISTINCT FROM did OR s.status <> 'PROPOSED')) THEN
    v_state := 'SUPERSEDED'; v_code := 'SUPERSEDED'; v_msg := format('proposal %s was settled first by another approval', did);
  END IF;
  INSERT INTO recon.approvals (approval_id, decision_id, device_id, seq, verdict, approver, comment, decided_at, state, refusal_code, server_order)
  VALUES (aid, did, ev.device_id, ev.seq, verdict, ev.actor, ev.event::jsonb->>'comment', ev.at, v_state,
          CASE WHEN v_state = 'REFUSED' THEN v_code END, ord);
  IF v_state = 'APPLIED' THEN
    UPDATE recon.break_status s
       SET status = CASE verdict WHEN 'APPROVED' THEN db.to_status ELSE db.from_status END,
           reason = CASE verdict WHEN 'APPROVED' THEN db.reason END,
           approval_id = aid, changed_order = ord
      FROM recon.decision_breaks db
     WHERE db.decision_id = did AND s.run_id = dec.run_id AND s.break_id = db.break_id;
  END IF;
  RETURN ARRAY[v_state, v_code, v_msg];
END $$;

DROP TRIGGER audit_events_project ON recon.audit_events;
CREATE TRIGGER audit_events_project AFTER INSERT ON recon.audit_events FOR EACH ROW
WHEN (NEW.action IN ('run.started', 'run.completed', 'run.failed', 'decision.proposed', 'decision.applied', 'proposal.approved', 'proposal.rejected', 'proposal.withdrawn'))
EXECUTE FUNCTION recon.project_event();
