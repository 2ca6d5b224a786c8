-- Break memory: a run that completes takes over the decisions in force on
-- the previous run of its series for the breaks whose values did not change
-- (breaks.carried, after its run.completed). The server checks each carry
-- against its own statuses: only a decision in force on the previous break
-- here is carried, so a carry can never set a status no decision made. A
-- carried break's status row points at the same decision and approval; a
-- pending proposal carried along settles its carried breaks too. The carries
-- are facts (append-only) and travel to other devices with the statuses.

CREATE TABLE recon.break_carries (
  run_id TEXT NOT NULL,
  break_id BIGINT NOT NULL,
  from_run_id TEXT NOT NULL,
  from_break_id BIGINT NOT NULL,
  origin_break_id BIGINT NOT NULL,
  decision_id TEXT NOT NULL REFERENCES recon.decisions(decision_id),
  kept BOOLEAN NOT NULL,
  status TEXT NOT NULL,
  reason TEXT,
  device_id TEXT NOT NULL,
  seq BIGINT NOT NULL,
  server_order BIGINT NOT NULL,
  PRIMARY KEY (run_id, break_id),
  FOREIGN KEY (device_id, seq) REFERENCES recon.audit_events(device_id, seq)
);
CREATE INDEX break_carries_by_decision ON recon.break_carries(decision_id);
CREATE INDEX break_carries_by_order ON recon.break_carries(server_order);
CREATE TRIGGER break_carries_append_only BEFORE UPDATE OR DELETE ON recon.break_carries FOR EACH ROW EXECUTE FUNCTION recon.append_only();
GRANT SELECT ON recon.break_carries TO recon_sync;

-- after.rows: [break_id, from_break_id, origin_break_id, decision_id, approval_id, status, reason, kept]
CREATE FUNCTION recon.project_carry(ev recon.audit_events, ord BIGINT) RETURNS TEXT[]
LANGUAGE plpgsql AS $$
DECLARE
  a JSONB := (ev.event::jsonb)->'after';
  rid TEXT := substring(ev.target FROM 5);
  from_rid TEXT := a->>'from_run_id';
  r JSONB;
  run RECORD;
  cur RECORD;
  applied INT := 0;
  skipped INT := 0;
BEGIN
  IF ev.target NOT LIKE 'run:%' OR from_rid IS NULL OR jsonb_typeof(a->'rows') IS DISTINCT FROM 'array' THEN
    RETURN ARRAY['REFUSED', 'MALFORMED', 'carry event without well-formed rows'];
  END IF;
  SELECT * INTO run FROM recon.runs WHERE run_id = rid;
  IF NOT FOUND OR run.device_id <> ev.device_id OR run.status <> 'COMPLETED' THEN
    RETURN ARRAY['REFUSED', 'UNKNOWN_RUN', format('run %s is not a completed run of device %s on the server', rid, ev.device_id)];
  END IF;
  IF recon.login_mismatch(ev.actor) THEN
    RETURN ARRAY['REFUSED', 'LOGIN_MISMATCH', format('%s must push over their own database login, not %s', ev.actor, session_user)];
  END IF;
  FOR r IN SELECT value FROM jsonb_array_elements(a->'rows') LOOP
    SELECT * INTO cur FROM recon.break_status WHERE run_id = from_rid AND break_id = (r->>1)::bigint;
    IF NOT FOUND OR cur.decision_id IS DISTINCT FROM r->>3 OR cur.status IS DISTINCT FROM r->>5
       OR EXISTS (SELECT 1 FROM recon.break_status WHERE run_id = rid AND break_id = (r->>0)::bigint)
       OR EXISTS (SELECT 1 FROM recon.break_carries WHERE run_id = rid AND break_id = (r->>0)::bigint) THEN
      skipped := skipped + 1;
      CONTINUE;
    END IF;
    INSERT INTO recon.break_carries (run_id, break_id, from_run_id, from_break_id, origin_break_id, decision_id, kept, status, reason, device_id, seq, server_order)
    VALUES (rid, (r->>0)::bigint, from_rid, (r->>1)::bigint, (r->>2)::bigint, cur.decision_id, (r->>7)::boolean, cur.status, cur.reason, ev.device_id, ev.seq, ord);
    IF (r->>7)::boolean THEN
      INSERT INTO recon.break_status (run_id, break_id, status, reason, decision_id, approval_id, changed_order)
      VALUES (rid, (r->>0)::bigint, cur.status, cur.reason, cur.decision_id, cur.approval_id, ord);
    END IF;
    applied := applied + 1;
  END LOOP;
  IF skipped > 0 THEN
    RETURN ARRAY['APPLIED', 'PARTLY_CARRIED', format('%s carried; %s no longer in force on the server and not carried', applied, skipped)];
  END IF;
  RETURN ARRAY['APPLIED', NULL, NULL];
END $$;
REVOKE EXECUTE ON FUNCTION recon.project_carry(recon.audit_events, BIGINT) FROM PUBLIC;

-- 005's approval, with carried breaks following their proposal.
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
    -- The proposal's breaks carried into later runs of the series follow it.
    UPDATE recon.break_status s
       SET status = CASE verdict WHEN 'APPROVED' THEN db.to_status ELSE db.from_status END,
           reason = CASE verdict WHEN 'APPROVED' THEN db.reason END,
           approval_id = aid, changed_order = ord
      FROM recon.break_carries c
      JOIN recon.decision_breaks db ON db.decision_id = c.decision_id AND db.break_id = c.origin_break_id
     WHERE c.decision_id = did AND c.kept AND s.run_id = c.run_id AND s.break_id = c.break_id
       AND s.decision_id = did AND s.status = 'PROPOSED';
  END IF;
  RETURN ARRAY[v_state, v_code, v_msg];
END $$;

-- The dispatch, with carries.
CREATE OR REPLACE FUNCTION recon.project_event() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = recon, pg_temp AS $$
DECLARE
  ord BIGINT;
  res TEXT[];
BEGIN
  -- One lock for the rest of the transaction: server orders become visible in
  -- the order they were handed out, so a pull that saw order N saw all before it.
  PERFORM pg_advisory_xact_lock(7261001);
  ord := nextval('recon.server_order');
  BEGIN
    res := CASE
      WHEN NEW.action LIKE 'run.%' THEN project_run(NEW, ord)
      WHEN NEW.action LIKE 'decision.%' THEN project_decision(NEW, ord)
      WHEN NEW.action = 'definition.saved' THEN project_definition(NEW, ord)
      WHEN NEW.action = 'breaks.carried' THEN project_carry(NEW, ord)
      ELSE project_approval(NEW, ord)
    END;
  EXCEPTION WHEN others THEN
    res := ARRAY['REFUSED', 'MALFORMED', SQLERRM];
  END;
  INSERT INTO event_outcomes (device_id, seq, outcome, code, message) VALUES (NEW.device_id, NEW.seq, res[1], res[2], res[3]);
  RETURN NULL;
END $$;

DROP TRIGGER audit_events_project ON recon.audit_events;
CREATE TRIGGER audit_events_project AFTER INSERT ON recon.audit_events FOR EACH ROW
WHEN (NEW.action IN ('run.started', 'run.completed', 'run.failed', 'decision.proposed', 'decision.applied', 'proposal.approved', 'proposal.rejected', 'proposal.withdrawn',
                     'definition.saved', 'breaks.carried'))
EXECUTE FUNCTION recon.project_event();
