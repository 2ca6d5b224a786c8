-- Shared workflow state, derived from audit events in the push transaction.
-- The 4-eye rule and roles are enforced here again (a workstation's own roles
-- are only as strong as its OS login). An event whose effect is refused still
-- stays in the chain (it happened on the device); its outcome says why, and
-- the client parks it for the user to see.

CREATE FUNCTION recon.has_role(p_user TEXT, p_role TEXT) RETURNS BOOLEAN
LANGUAGE sql STABLE AS $$
  SELECT EXISTS (SELECT 1 FROM recon.user_roles WHERE user_id = p_user AND role = p_role)
$$;

-- True when the user is bound to another PostgreSQL login than this session's.
CREATE FUNCTION recon.login_mismatch(p_user TEXT) RETURNS BOOLEAN
LANGUAGE sql STABLE AS $$
  SELECT EXISTS (SELECT 1 FROM recon.users WHERE user_id = p_user AND db_login IS NOT NULL AND db_login <> session_user)
$$;

CREATE FUNCTION recon.as_numeric(p TEXT) RETURNS NUMERIC
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN p ~ '^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$' THEN p::numeric END
$$;

CREATE FUNCTION recon.project_run(ev recon.audit_events, ord BIGINT) RETURNS TEXT[]
LANGUAGE plpgsql AS $$
DECLARE
  a JSONB := (ev.event::jsonb)->'after';
  rid TEXT := substring(ev.target FROM 5);
BEGIN
  IF ev.action = 'run.started' THEN
    INSERT INTO recon.runs (run_id, device_id, definition_name, status, started_by, started_at, server_order)
    VALUES (rid, ev.device_id, coalesce(a->>'definition_name', '?'), 'RUNNING', ev.actor, ev.at, ord)
    ON CONFLICT (run_id) DO NOTHING;
    IF NOT FOUND THEN RETURN ARRAY['REFUSED', 'RUN_EXISTS', format('run %s was already registered by another device', rid)]; END IF;
  ELSE
    UPDATE recon.runs SET status = CASE ev.action WHEN 'run.completed' THEN 'COMPLETED' ELSE 'FAILED' END,
           finished_at = ev.at, summary = a->'summary',
           total_breaks = recon.as_numeric(a->'summary'->'breaks'->>'total')::bigint,
           unknown_rate = recon.as_numeric(a->'summary'->'attribution'->>'unknownRate'),
           gate_passed = CASE a->'summary'->'gate'->'passed' WHEN 'true'::jsonb THEN true WHEN 'false'::jsonb THEN false END,
           server_order = ord
     WHERE run_id = rid AND device_id = ev.device_id;
    IF NOT FOUND THEN RETURN ARRAY['REFUSED', 'RUN_UNKNOWN', format('run %s is not registered by this device', rid)]; END IF;
  END IF;
  RETURN ARRAY['APPLIED', NULL, NULL];
END $$;

-- A decision applies when every break is where the maker saw it; otherwise
-- another device decided first (server order) and this one is SUPERSEDED.
CREATE FUNCTION recon.project_decision(ev recon.audit_events, ord BIGINT) RETURNS TEXT[]
LANGUAGE plpgsql AS $$
DECLARE
  e JSONB := ev.event::jsonb;
  d JSONB := e->'after'->'decision';
  did TEXT := d->>'decision_id';
  rid TEXT := d->>'run_id';
  proposal BOOLEAN := (d->'is_proposal') = 'true'::jsonb;
  v_state TEXT := 'APPLIED';
  v_code TEXT;
  v_msg TEXT;
  v_winner TEXT;
  v_break BIGINT;
BEGIN
  IF did IS NULL OR rid IS NULL OR e->'after'->'columns' <> '["break_id","status","final_status","reason"]'::jsonb
     OR e->'before'->'columns' <> '["break_id","status"]'::jsonb
     OR jsonb_array_length(e->'after'->'rows') <> jsonb_array_length(e->'before'->'rows') THEN
    RETURN ARRAY['REFUSED', 'MALFORMED', 'decision event without a well-formed decision'];
  END IF;
  IF EXISTS (SELECT 1 FROM recon.decisions WHERE decision_id = did) THEN
    RETURN ARRAY['REFUSED', 'DUPLICATE_ID', format('decision %s already exists', did)];
  END IF;
  IF NOT EXISTS (SELECT 1 FROM recon.runs WHERE run_id = rid) THEN
    v_state := 'REFUSED'; v_code := 'RUN_UNKNOWN'; v_msg := format('run %s is not on the server', rid);
  ELSIF recon.login_mismatch(ev.actor) THEN
    v_state := 'REFUSED'; v_code := 'LOGIN_MISMATCH'; v_msg := format('%s must push over their own database login, not %s', ev.actor, session_user);
  ELSIF NOT recon.has_role(ev.actor, 'analyst') THEN
    v_state := 'REFUSED'; v_code := 'FORBIDDEN_ROLE'; v_msg := format('%s does not hold the analyst role on the team server', ev.actor);
  ELSE
    SELECT s.decision_id, s.break_id INTO v_winner, v_break
      FROM jsonb_array_elements(e->'before'->'rows') b(y)
      JOIN recon.break_status s ON s.run_id = rid AND s.break_id = (b.y->>0)::bigint
     WHERE s.status <> b.y->>1
     ORDER BY s.changed_order DESC LIMIT 1;
    IF v_winner IS NOT NULL THEN
      v_state := 'SUPERSEDED'; v_code := 'SUPERSEDED'; v_msg := format('break %s was decided first by decision %s', v_break, v_winner);
    END IF;
  END IF;
  INSERT INTO recon.decisions (decision_id, device_id, seq, run_id, kind, reason, comment, actor, decided_at, is_proposal,
                               bulk_filter, break_count, state, superseded_by, refusal_code, server_order)
  VALUES (did, ev.device_id, ev.seq, rid, d->>'kind', d->>'reason', (e->>'comment'), ev.actor, ev.at, proposal,
          CASE WHEN jsonb_typeof(d->'bulk_filter') = 'object' THEN d->'bulk_filter' END,
          jsonb_array_length(e->'after'->'rows'), v_state, v_winner, CASE WHEN v_state = 'REFUSED' THEN v_code END, ord);
  INSERT INTO recon.decision_breaks (decision_id, break_id, from_status, to_status, reason)
  SELECT did, (a.x->>0)::bigint, b.y->>1, a.x->>2, a.x->>3
    FROM jsonb_array_elements(e->'after'->'rows') WITH ORDINALITY a(x, i)
    JOIN jsonb_array_elements(e->'before'->'rows') WITH ORDINALITY b(y, j) ON a.i = b.j;
  IF v_state = 'APPLIED' THEN
    INSERT INTO recon.break_status (run_id, break_id, status, reason, decision_id, approval_id, changed_order)
    SELECT rid, db.break_id, CASE WHEN proposal THEN 'PROPOSED' ELSE db.to_status END,
           CASE WHEN proposal THEN NULL ELSE db.reason END, did, NULL, ord
      FROM recon.decision_breaks db WHERE db.decision_id = did
    ON CONFLICT (run_id, break_id) DO UPDATE SET status = excluded.status, reason = excluded.reason,
      decision_id = excluded.decision_id, approval_id = NULL, changed_order = excluded.changed_order;
  END IF;
  RETURN ARRAY[v_state, v_code, v_msg];
END $$;

-- The checker's verdict: never the maker's own, only by a server approver,
-- and only while the proposal still holds its breaks.
CREATE FUNCTION recon.project_approval(ev recon.audit_events, ord BIGINT) RETURNS TEXT[]
LANGUAGE plpgsql AS $$
DECLARE
  a JSONB := (ev.event::jsonb)->'after';
  did TEXT := substring(ev.target FROM 10);
  aid TEXT := a->>'approval_id';
  verdict TEXT := a->>'verdict';
  dec RECORD;
  v_state TEXT := 'APPLIED';
  v_code TEXT;
  v_msg TEXT;
BEGIN
  IF ev.target NOT LIKE 'decision:%' OR aid IS NULL OR verdict IS NULL OR verdict NOT IN ('APPROVED', 'REJECTED') THEN
    RETURN ARRAY['REFUSED', 'MALFORMED', 'approval event without a well-formed approval'];
  END IF;
  IF EXISTS (SELECT 1 FROM recon.approvals WHERE approval_id = aid) THEN
    RETURN ARRAY['REFUSED', 'DUPLICATE_ID', format('approval %s already exists', aid)];
  END IF;
  SELECT * INTO dec FROM recon.decisions WHERE decision_id = did;
  IF NOT FOUND OR NOT dec.is_proposal THEN
    v_state := 'REFUSED'; v_code := 'UNKNOWN_PROPOSAL'; v_msg := format('no proposal %s on the server', did);
  ELSIF dec.actor = ev.actor THEN
    v_state := 'REFUSED'; v_code := 'FORBIDDEN_SELF_APPROVAL'; v_msg := format('%s made proposal %s and cannot approve or reject it', ev.actor, did);
  ELSIF recon.login_mismatch(ev.actor) THEN
    v_state := 'REFUSED'; v_code := 'LOGIN_MISMATCH'; v_msg := format('%s must push over their own database login, not %s', ev.actor, session_user);
  ELSIF NOT recon.has_role(ev.actor, 'approver') THEN
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

-- Dispatch, after the chain trigger accepted the event (only actions that
-- change shared state; see the trigger's WHEN). A malformed body is refused
-- (recorded), never an error: that would block the device's chain.
CREATE FUNCTION recon.project_event() RETURNS trigger
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
      ELSE project_approval(NEW, ord)
    END;
  EXCEPTION WHEN others THEN
    res := ARRAY['REFUSED', 'MALFORMED', SQLERRM];
  END;
  INSERT INTO event_outcomes (device_id, seq, outcome, code, message) VALUES (NEW.device_id, NEW.seq, res[1], res[2], res[3]);
  RETURN NULL;
END $$;

CREATE TRIGGER audit_events_project AFTER INSERT ON recon.audit_events FOR EACH ROW
WHEN (NEW.action IN ('run.started', 'run.completed', 'run.failed', 'decision.proposed', 'decision.applied', 'proposal.approved', 'proposal.rejected'))
EXECUTE FUNCTION recon.project_event();

-- Decisions and approvals are facts; only break_status and runs change.
CREATE TRIGGER decisions_append_only BEFORE UPDATE OR DELETE ON recon.decisions FOR EACH ROW EXECUTE FUNCTION recon.append_only();
CREATE TRIGGER decision_breaks_append_only BEFORE UPDATE OR DELETE ON recon.decision_breaks FOR EACH ROW EXECUTE FUNCTION recon.append_only();
CREATE TRIGGER approvals_append_only BEFORE UPDATE OR DELETE ON recon.approvals FOR EACH ROW EXECUTE FUNCTION recon.append_only();
