-- Trust the trail (issue 17): people and devices are bound to PostgreSQL
-- logins, and no team login can hold the locks every push waits for.
--
-- People: an act of a person (a decision or proposal, an approval, rejection
-- or withdrawal, a carry, a match action or verdict, a definition save)
-- counts only when its actor is a server user whose db_login is this
-- session's login. A user without db_login can no longer act at all: over one
-- shared login anybody could claim to be anybody (RECON_USER=carol proposes,
-- RECON_USER=dave approves). An administrator binds each user to their own
-- login (README: "One login per person"). Runs are not a person's act here: a
-- run authorizes nothing, and its device is bound below.
--
-- 4-eye by login: an approval or rejection (of a proposal or a match action)
-- pushed over the login that pushed what it settles is the maker's own
-- (FORBIDDEN_SELF_APPROVAL), whatever the actor names say.
--
-- Devices: recon.devices.first_login, recorded at a device's first push, is
-- the only login its chain grows over (RC002 DEVICE_LOGIN_MISMATCH). Before,
-- any login could read a device's head and append a correctly hashed event;
-- the real device then met FORK forever.
--
-- Locks: the advisory locks 7261001 (server order) and 7261002 (per device)
-- could be taken by any session (`SELECT pg_advisory_lock(7261001)` stalled
-- every push). They are now row locks taken by the SECURITY DEFINER triggers:
-- the server order on recon.push_locks, which team logins have no privilege
-- on, and a device's writer on its recon.devices row (team logins may SELECT
-- it but not lock it: that needs UPDATE).

CREATE OR REPLACE FUNCTION recon.login_mismatch(p_user TEXT) RETURNS BOOLEAN
LANGUAGE sql STABLE AS $$
  SELECT NOT EXISTS (SELECT 1 FROM recon.users WHERE user_id = p_user AND db_login = session_user)
$$;
COMMENT ON FUNCTION recon.login_mismatch(TEXT) IS 'True unless the user is bound (users.db_login) to this session''s login.';
COMMENT ON COLUMN recon.users.db_login IS 'The PostgreSQL login this user''s acts must be pushed over; NULL: the user cannot act.';
COMMENT ON COLUMN recon.devices.first_login IS 'The login of the device''s first push: its chain grows over no other.';

CREATE TABLE recon.push_locks (
  name TEXT PRIMARY KEY
);
INSERT INTO recon.push_locks (name) VALUES ('server_order');
REVOKE ALL ON recon.push_locks FROM PUBLIC;
REVOKE ALL ON recon.push_locks FROM recon_sync;

CREATE OR REPLACE FUNCTION recon.check_chain() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = recon, pg_temp AS $$
DECLARE
  e JSONB;
  head_seq BIGINT;
  head_hash TEXT;
  body TEXT;
  existing TEXT;
  device_login TEXT;
BEGIN
  BEGIN
    e := NEW.event::jsonb;
  EXCEPTION WHEN others THEN
    PERFORM invalid_event(NEW.seq, 'MALFORMED', 'event is not JSON');
  END;
  IF jsonb_typeof(e) <> 'object' OR e->>'device_id' IS DISTINCT FROM NEW.device_id OR (e->>'seq')::bigint IS DISTINCT FROM NEW.seq THEN
    PERFORM invalid_event(NEW.seq, 'MALFORMED', format('event does not belong at device %s seq %s', NEW.device_id, NEW.seq));
  END IF;
  NEW.event_id := e->>'event_id';
  NEW.actor := e->>'actor';
  NEW.at := e->>'at';
  NEW.action := e->>'action';
  NEW.target := e->>'target';
  NEW.prev_hash := e->>'prev_hash';
  NEW.hash := e->>'hash';
  IF NEW.event_id IS NULL OR NEW.actor IS NULL OR NEW.at IS NULL OR NEW.action IS NULL OR NEW.target IS NULL OR NEW.prev_hash IS NULL OR NEW.hash IS NULL THEN
    PERFORM invalid_event(NEW.seq, 'MALFORMED', format('event seq %s lacks a required field', NEW.seq));
  END IF;
  body := event_body(NEW.event::text, NEW.hash);
  IF body IS NULL OR encode(sha256(convert_to(body, 'UTF8')), 'hex') <> NEW.hash THEN
    PERFORM invalid_event(NEW.seq, 'HASH_MISMATCH', format('event seq %s: content does not match its hash', NEW.seq));
  END IF;

  -- One writer per device at a time: the device's row, locked until the
  -- transaction ends (team logins cannot lock rows here; the advisory lock
  -- 7261002 this replaces, any session could hold). Concurrent pushes of the
  -- same chain queue up instead of both appending at the same seq; two logins
  -- racing for a new device id, the second finds the first's row.
  SELECT first_login INTO device_login FROM devices WHERE device_id = NEW.device_id FOR UPDATE;
  IF NOT FOUND THEN
    INSERT INTO devices (device_id, first_login) VALUES (NEW.device_id, session_user) ON CONFLICT DO NOTHING;
    SELECT first_login INTO device_login FROM devices WHERE device_id = NEW.device_id FOR UPDATE;
  END IF;
  -- A device's chain grows only over the login of its first push. Another
  -- login's event is refused here, and the error ends the transaction (or
  -- savepoint) that took the lock, so the lock goes with it.
  IF device_login <> session_user THEN
    PERFORM invalid_event(NEW.seq, 'DEVICE_LOGIN_MISMATCH', format('device %s pushes over the login %s, not %s', NEW.device_id, device_login, session_user));
  END IF;
  -- The head is the last event held; earlier rows of the same INSERT count.
  SELECT seq, hash INTO head_seq, head_hash FROM audit_events WHERE device_id = NEW.device_id ORDER BY seq DESC LIMIT 1;
  IF NOT FOUND THEN
    head_seq := 0;
    head_hash := repeat('0', 64);
  END IF;
  IF NEW.seq <= head_seq THEN
    SELECT hash INTO existing FROM audit_events WHERE device_id = NEW.device_id AND seq = NEW.seq;
    IF existing = NEW.hash THEN
      RETURN NULL; -- a replay of an event already held: skipped, so pushes are idempotent
    END IF;
    PERFORM invalid_event(NEW.seq, 'FORK', format('device %s seq %s: the server holds a different event at this seq', NEW.device_id, NEW.seq));
  END IF;
  IF NEW.seq > head_seq + 1 THEN
    RAISE EXCEPTION USING ERRCODE = 'RC001', DETAIL = head_seq::text,
      MESSAGE = format('device %s: seq %s arrived but the server holds up to %s', NEW.device_id, NEW.seq, head_seq);
  END IF;
  IF NEW.prev_hash <> head_hash THEN
    PERFORM invalid_event(NEW.seq, 'PREV_HASH_MISMATCH', format('event seq %s does not link to the event before it', NEW.seq));
  END IF;
  NEW.received_at := now();
  NEW.received_by := session_user;
  RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION recon.project_approval(ev recon.audit_events, ord BIGINT) RETURNS TEXT[]
LANGUAGE plpgsql AS $$
DECLARE
  a JSONB := (ev.event::jsonb)->'after';
  did TEXT := substring(ev.target FROM 10);
  aid TEXT := a->>'approval_id';
  verdict TEXT := a->>'verdict';
  withdrawal BOOLEAN := ev.action = 'proposal.withdrawn';
  dec RECORD;
  maker_login TEXT;
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
  IF FOUND THEN
    SELECT received_by INTO maker_login FROM recon.audit_events WHERE device_id = dec.device_id AND seq = dec.seq;
  END IF;
  IF dec.decision_id IS NULL OR NOT dec.is_proposal THEN
    v_state := 'REFUSED'; v_code := 'UNKNOWN_PROPOSAL'; v_msg := format('no proposal %s on the server', did);
  ELSIF withdrawal AND dec.actor <> ev.actor THEN
    v_state := 'REFUSED'; v_code := 'FORBIDDEN_ROLE'; v_msg := format('only %s, who made proposal %s, can withdraw it', dec.actor, did);
  ELSIF NOT withdrawal AND dec.actor = ev.actor THEN
    v_state := 'REFUSED'; v_code := 'FORBIDDEN_SELF_APPROVAL'; v_msg := format('%s made proposal %s and cannot approve or reject it', ev.actor, did);
  ELSIF recon.login_mismatch(ev.actor) THEN
    v_state := 'REFUSED'; v_code := 'LOGIN_MISMATCH'; v_msg := format('%s is not bound to the database login %s', ev.actor, session_user);
  ELSIF NOT withdrawal AND maker_login = session_user THEN
    v_state := 'REFUSED'; v_code := 'FORBIDDEN_SELF_APPROVAL'; v_msg := format('proposal %s was pushed over the login %s: the same login cannot approve or reject it', did, session_user);
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

-- 008's match verdict, with the same login rule.
CREATE OR REPLACE FUNCTION recon.project_match_verdict(ev recon.audit_events, ord BIGINT) RETURNS TEXT[]
LANGUAGE plpgsql AS $$
DECLARE
  aft JSONB := (ev.event::jsonb)->'after';
  aid TEXT := aft->>'action_id';
  verdict TEXT := aft->>'verdict';
  withdrawal BOOLEAN := ev.action = 'match.withdrawn';
  expected TEXT := CASE ev.action WHEN 'match.approved' THEN 'APPROVED' WHEN 'match.rejected' THEN 'REJECTED' ELSE 'WITHDRAWN' END;
  act RECORD;
  maker_login TEXT;
  v_state TEXT := 'APPLIED';
  v_code TEXT;
  v_msg TEXT;
BEGIN
  IF aid IS NULL OR ev.target <> 'match-action:' || aid
     OR verdict IS DISTINCT FROM expected THEN
    RETURN ARRAY['REFUSED', 'MALFORMED', 'match verdict event without a well-formed verdict'];
  END IF;
  SELECT * INTO act FROM recon.match_actions WHERE action_id = aid;
  IF FOUND THEN
    SELECT received_by INTO maker_login FROM recon.audit_events WHERE device_id = act.device_id AND seq = act.seq;
  END IF;
  IF act.action_id IS NULL THEN
    v_state := 'REFUSED'; v_code := 'UNKNOWN_ACTION'; v_msg := format('no match action %s on the server', aid);
  ELSIF withdrawal AND act.actor <> ev.actor THEN
    v_state := 'REFUSED'; v_code := 'FORBIDDEN_ROLE'; v_msg := format('only %s, who made %s, can withdraw it', act.actor, aid);
  ELSIF NOT withdrawal AND act.actor = ev.actor THEN
    v_state := 'REFUSED'; v_code := 'FORBIDDEN_SELF_APPROVAL'; v_msg := format('%s made %s and cannot approve or reject it', ev.actor, aid);
  ELSIF recon.login_mismatch(ev.actor) THEN
    v_state := 'REFUSED'; v_code := 'LOGIN_MISMATCH'; v_msg := format('%s is not bound to the database login %s', ev.actor, session_user);
  ELSIF NOT withdrawal AND maker_login = session_user THEN
    v_state := 'REFUSED'; v_code := 'FORBIDDEN_SELF_APPROVAL'; v_msg := format('%s was pushed over the login %s: the same login cannot approve or reject it', aid, session_user);
  ELSIF NOT withdrawal AND NOT recon.has_role(ev.actor, 'approver') THEN
    v_state := 'REFUSED'; v_code := 'FORBIDDEN_ROLE'; v_msg := format('%s does not hold the approver role on the team server', ev.actor);
  ELSIF act.state <> 'APPLIED' OR NOT act.needs_approval THEN
    v_state := 'REFUSED'; v_code := 'ACTION_NOT_PENDING'; v_msg := format('match action %s is not waiting for an approver on the server', aid);
  ELSIF EXISTS (SELECT 1 FROM recon.match_action_verdicts WHERE action_id = aid AND state = 'APPLIED') THEN
    v_state := 'SUPERSEDED'; v_code := 'SUPERSEDED'; v_msg := format('match action %s was settled first by another verdict', aid);
  END IF;
  INSERT INTO recon.match_action_verdicts (device_id, seq, action_id, verdict, approver, comment, decided_at, state, refusal_code, detail, server_order)
  VALUES (ev.device_id, ev.seq, aid, verdict, ev.actor, ev.event::jsonb->>'comment', ev.at, v_state, CASE WHEN v_state = 'REFUSED' THEN v_code END, v_msg, ord);
  IF v_state = 'APPLIED' AND verdict = 'APPROVED' THEN
    PERFORM recon.project_match_settle(ev, ord, aft->'settle');
  END IF;
  RETURN ARRAY[v_state, v_code, v_msg];
END $$;

-- 008's dispatch, under the server-order row lock.
CREATE OR REPLACE FUNCTION recon.project_event() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = recon, pg_temp AS $$
DECLARE
  ord BIGINT;
  res TEXT[];
BEGIN
  -- One lock for the rest of the transaction: server orders become visible in
  -- the order they were handed out, so a pull that saw order N saw all before it.
  -- A row no team login can lock (was pg_advisory_xact_lock(7261001), which any session could hold).
  PERFORM 1 FROM push_locks WHERE name = 'server_order' FOR UPDATE;
  ord := nextval('recon.server_order');
  BEGIN
    res := CASE
      WHEN NEW.action LIKE 'run.%' THEN project_run(NEW, ord)
      WHEN NEW.action LIKE 'decision.%' THEN project_decision(NEW, ord)
      WHEN NEW.action = 'definition.saved' THEN project_definition(NEW, ord)
      WHEN NEW.action = 'breaks.carried' THEN project_carry(NEW, ord)
      WHEN NEW.action IN ('match.manual', 'match.unmatched') THEN project_match_action(NEW, ord)
      WHEN NEW.action IN ('match.approved', 'match.rejected', 'match.withdrawn') THEN project_match_verdict(NEW, ord)
      ELSE project_approval(NEW, ord)
    END;
  EXCEPTION WHEN others THEN
    res := ARRAY['REFUSED', 'MALFORMED', SQLERRM];
  END;
  INSERT INTO event_outcomes (device_id, seq, outcome, code, message) VALUES (NEW.device_id, NEW.seq, res[1], res[2], res[3]);
  RETURN NULL;
END $$;

REVOKE EXECUTE ON FUNCTION recon.login_mismatch(TEXT), recon.project_approval(recon.audit_events, BIGINT), recon.project_match_verdict(recon.audit_events, BIGINT) FROM PUBLIC;
