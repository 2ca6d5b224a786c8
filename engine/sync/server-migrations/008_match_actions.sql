-- Manual match and unmatch in matching runs (workstation: workflow/manual-matches.ts,
-- store migration 013). A device's match.manual / match.unmatched event is an
-- action; match.approved / match.rejected / match.withdrawn its verdict. Both
-- are projected here in server order and are facts (append-only). The rules
-- run again: the maker holds analyst, a verdict is never the maker's own and
-- needs approver (a withdrawal is the maker's), and two devices cannot take
-- the same rows or undo the same match: the later one is SUPERSEDED.
--
-- Breaks follow the rows: the event's `settle` is the ordinary decision the
-- device wrote when the action came into force (ACCEPT with MANUAL_MATCH, or
-- REOPEN for an undone manual match). It is projected into recon.decisions,
-- decision_breaks and break_status like any decision (superseded when a break
-- is no longer where the device saw it), so other devices pull it unchanged.

CREATE TABLE recon.match_actions (
  action_id TEXT PRIMARY KEY,
  device_id TEXT NOT NULL,
  seq BIGINT NOT NULL,
  run_id TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('MATCH', 'UNMATCH')),
  match_id TEXT NOT NULL,
  -- [[side, rid, id], ...]
  rows JSONB NOT NULL,
  -- [[break_id, base_status], ...]: the breaks that follow the rows.
  breaks JSONB NOT NULL,
  sum_a TEXT,
  sum_b TEXT,
  difference TEXT,
  comment TEXT,
  actor TEXT NOT NULL,
  decided_at TEXT NOT NULL,
  needs_approval BOOLEAN NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('APPLIED', 'SUPERSEDED', 'REFUSED')),
  refusal_code TEXT,
  detail TEXT,
  server_order BIGINT NOT NULL,
  FOREIGN KEY (device_id, seq) REFERENCES recon.audit_events(device_id, seq)
);
CREATE INDEX match_actions_by_run ON recon.match_actions(run_id, kind);
CREATE INDEX match_actions_by_order ON recon.match_actions(server_order);

CREATE TABLE recon.match_action_verdicts (
  device_id TEXT NOT NULL,
  seq BIGINT NOT NULL,
  action_id TEXT NOT NULL,
  verdict TEXT NOT NULL CHECK (verdict IN ('APPROVED', 'REJECTED', 'WITHDRAWN')),
  approver TEXT NOT NULL,
  comment TEXT,
  decided_at TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('APPLIED', 'SUPERSEDED', 'REFUSED')),
  refusal_code TEXT,
  detail TEXT,
  server_order BIGINT NOT NULL,
  PRIMARY KEY (device_id, seq),
  FOREIGN KEY (device_id, seq) REFERENCES recon.audit_events(device_id, seq)
);
-- At most one verdict takes effect per action.
CREATE UNIQUE INDEX match_verdicts_one_applied ON recon.match_action_verdicts(action_id) WHERE state = 'APPLIED';
CREATE INDEX match_verdicts_by_order ON recon.match_action_verdicts(server_order);

CREATE TRIGGER match_actions_append_only BEFORE UPDATE OR DELETE ON recon.match_actions FOR EACH ROW EXECUTE FUNCTION recon.append_only();
CREATE TRIGGER match_action_verdicts_append_only BEFORE UPDATE OR DELETE ON recon.match_action_verdicts FOR EACH ROW EXECUTE FUNCTION recon.append_only();
GRANT SELECT ON recon.match_actions, recon.match_action_verdicts TO recon_sync;

-- An action still counts (pending, or in force): the server took it and no verdict but an approval settled it.
CREATE FUNCTION recon.match_action_live(p_action TEXT) RETURNS BOOLEAN
LANGUAGE sql STABLE AS $$
  SELECT EXISTS (SELECT 1 FROM recon.match_actions m WHERE m.action_id = p_action AND m.state = 'APPLIED'
                   AND NOT EXISTS (SELECT 1 FROM recon.match_action_verdicts v WHERE v.action_id = m.action_id AND v.state = 'APPLIED' AND v.verdict <> 'APPROVED'))
$$;

-- An action in force: live, and it needed no approval or was approved.
CREATE FUNCTION recon.match_action_in_force(p_action TEXT) RETURNS BOOLEAN
LANGUAGE sql STABLE AS $$
  SELECT recon.match_action_live(p_action) AND EXISTS (
    SELECT 1 FROM recon.match_actions m WHERE m.action_id = p_action
       AND (NOT m.needs_approval OR EXISTS (SELECT 1 FROM recon.match_action_verdicts v WHERE v.action_id = m.action_id AND v.state = 'APPLIED' AND v.verdict = 'APPROVED')))
$$;

-- The decision that makes the breaks follow an action coming into force, as the device wrote it
-- (settle: {decision_id, run_id, kind, reason, comment, columns, rows: [[break_id, from, to, reason]]}).
CREATE FUNCTION recon.project_match_settle(ev recon.audit_events, ord BIGINT, s JSONB) RETURNS VOID
LANGUAGE plpgsql AS $$
DECLARE
  did TEXT := s->>'decision_id';
  rid TEXT := s->>'run_id';
  v_state TEXT := 'APPLIED';
  v_winner TEXT;
BEGIN
  IF jsonb_typeof(s) IS DISTINCT FROM 'object' OR did IS NULL OR rid IS NULL OR s->>'kind' NOT IN ('ACCEPT', 'REOPEN')
     OR s->'columns' <> '["break_id","from_status","to_status","reason"]'::jsonb OR jsonb_typeof(s->'rows') IS DISTINCT FROM 'array'
     OR jsonb_array_length(s->'rows') = 0 OR EXISTS (SELECT 1 FROM recon.decisions WHERE decision_id = did) THEN
    RETURN;
  END IF;
  SELECT st.decision_id INTO v_winner
    FROM jsonb_array_elements(s->'rows') b(y)
    JOIN recon.break_status st ON st.run_id = rid AND st.break_id = (b.y->>0)::bigint
   WHERE st.status <> b.y->>1
   ORDER BY st.changed_order DESC LIMIT 1;
  IF v_winner IS NOT NULL THEN v_state := 'SUPERSEDED'; END IF;
  INSERT INTO recon.decisions (decision_id, device_id, seq, run_id, kind, reason, comment, actor, decided_at, is_proposal,
                               bulk_filter, break_count, state, superseded_by, refusal_code, server_order)
  VALUES (did, ev.device_id, ev.seq, rid, s->>'kind', s->>'reason', s->>'comment', ev.actor, ev.at, false,
          NULL, jsonb_array_length(s->'rows'), v_state, v_winner, NULL, ord);
  INSERT INTO recon.decision_breaks (decision_id, break_id, from_status, to_status, reason)
  SELECT did, (b.y->>0)::bigint, b.y->>1, b.y->>2, b.y->>3 FROM jsonb_array_elements(s->'rows') b(y);
  IF v_state = 'APPLIED' THEN
    INSERT INTO recon.break_status (run_id, break_id, status, reason, decision_id, approval_id, changed_order)
    SELECT rid, db.break_id, db.to_status, db.reason, did, NULL, ord FROM recon.decision_breaks db WHERE db.decision_id = did
    ON CONFLICT (run_id, break_id) DO UPDATE SET status = excluded.status, reason = excluded.reason,
      decision_id = excluded.decision_id, approval_id = NULL, changed_order = excluded.changed_order;
  END IF;
END $$;

-- match.manual / match.unmatched: after.action = {action_id, run_id, kind, match_id, rows, breaks, sum_a, sum_b, difference, needs_approval, threshold}.
CREATE FUNCTION recon.project_match_action(ev recon.audit_events, ord BIGINT) RETURNS TEXT[]
LANGUAGE plpgsql AS $$
DECLARE
  aft JSONB := (ev.event::jsonb)->'after';
  a JSONB := aft->'action';
  aid TEXT := a->>'action_id';
  rid TEXT := a->>'run_id';
  mid TEXT := a->>'match_id';
  k TEXT := a->>'kind';
  needs BOOLEAN := (a->'needs_approval') = 'true'::jsonb;
  -- The kind the event's action names (a CASE inside an IF condition would end it at its THEN).
  expected TEXT := CASE ev.action WHEN 'match.manual' THEN 'MATCH' ELSE 'UNMATCH' END;
  v_state TEXT := 'APPLIED';
  v_code TEXT;
  v_msg TEXT;
  v_other TEXT;
BEGIN
  IF aid IS NULL OR rid IS NULL OR mid IS NULL OR ev.target <> 'run:' || rid
     OR k IS DISTINCT FROM expected
     OR jsonb_typeof(a->'rows') IS DISTINCT FROM 'array' OR jsonb_array_length(a->'rows') = 0 OR jsonb_typeof(a->'breaks') IS DISTINCT FROM 'array'
     OR jsonb_typeof(a->'needs_approval') IS DISTINCT FROM 'boolean' THEN
    RETURN ARRAY['REFUSED', 'MALFORMED', 'match event without a well-formed action'];
  END IF;
  IF EXISTS (SELECT 1 FROM recon.match_actions WHERE action_id = aid) THEN
    RETURN ARRAY['REFUSED', 'DUPLICATE_ID', format('match action %s already exists', aid)];
  END IF;
  IF NOT EXISTS (SELECT 1 FROM recon.runs WHERE run_id = rid) THEN
    v_state := 'REFUSED'; v_code := 'RUN_UNKNOWN'; v_msg := format('run %s is not on the server', rid);
  ELSIF recon.login_mismatch(ev.actor) THEN
    v_state := 'REFUSED'; v_code := 'LOGIN_MISMATCH'; v_msg := format('%s must push over their own database login, not %s', ev.actor, session_user);
  ELSIF NOT recon.has_role(ev.actor, 'analyst') THEN
    v_state := 'REFUSED'; v_code := 'FORBIDDEN_ROLE'; v_msg := format('%s does not hold the analyst role on the team server', ev.actor);
  ELSIF k = 'MATCH' THEN
    -- A row taken by another device's match, pending or in force and not undone since.
    SELECT x.match_id INTO v_other
      FROM recon.match_actions x, jsonb_array_elements(x.rows) xr(r), jsonb_array_elements(a->'rows') nr(r)
     WHERE x.run_id = rid AND x.kind = 'MATCH' AND xr.r->>0 = nr.r->>0 AND xr.r->>1 = nr.r->>1
       AND recon.match_action_live(x.action_id)
       AND NOT EXISTS (SELECT 1 FROM recon.match_actions u WHERE u.run_id = rid AND u.kind = 'UNMATCH' AND u.match_id = x.match_id AND recon.match_action_in_force(u.action_id))
     LIMIT 1;
    IF v_other IS NOT NULL THEN
      v_state := 'SUPERSEDED'; v_code := 'SUPERSEDED'; v_msg := format('a row of it was matched first in %s', v_other);
    END IF;
  ELSE
    -- The match undone (or waiting to be) by another device first.
    SELECT u.action_id INTO v_other FROM recon.match_actions u
     WHERE u.run_id = rid AND u.kind = 'UNMATCH' AND u.match_id = mid AND recon.match_action_live(u.action_id) LIMIT 1;
    IF v_other IS NOT NULL THEN
      v_state := 'SUPERSEDED'; v_code := 'SUPERSEDED'; v_msg := format('match %s was unmatched first by %s', mid, v_other);
    END IF;
  END IF;
  INSERT INTO recon.match_actions (action_id, device_id, seq, run_id, kind, match_id, rows, breaks, sum_a, sum_b, difference, comment, actor, decided_at,
                                   needs_approval, state, refusal_code, detail, server_order)
  VALUES (aid, ev.device_id, ev.seq, rid, k, mid, a->'rows', a->'breaks', a->>'sum_a', a->>'sum_b', a->>'difference', ev.event::jsonb->>'comment', ev.actor, ev.at,
          needs, v_state, CASE WHEN v_state = 'REFUSED' THEN v_code END, v_msg, ord);
  IF v_state = 'APPLIED' AND NOT needs THEN
    PERFORM recon.project_match_settle(ev, ord, aft->'settle');
  END IF;
  RETURN ARRAY[v_state, v_code, v_msg];
END $$;

-- match.approved / match.rejected / match.withdrawn: target match-action:<id>; after = {action_id, run_id, kind, match_id, verdict, settle}.
CREATE FUNCTION recon.project_match_verdict(ev recon.audit_events, ord BIGINT) RETURNS TEXT[]
LANGUAGE plpgsql AS $$
DECLARE
  aft JSONB := (ev.event::jsonb)->'after';
  aid TEXT := aft->>'action_id';
  verdict TEXT := aft->>'verdict';
  withdrawal BOOLEAN := ev.action = 'match.withdrawn';
  expected TEXT := CASE ev.action WHEN 'match.approved' THEN 'APPROVED' WHEN 'match.rejected' THEN 'REJECTED' ELSE 'WITHDRAWN' END;
  act RECORD;
  v_state TEXT := 'APPLIED';
  v_code TEXT;
  v_msg TEXT;
BEGIN
  IF aid IS NULL OR ev.target <> 'match-action:' || aid
     OR verdict IS DISTINCT FROM expected THEN
    RETURN ARRAY['REFUSED', 'MALFORMED', 'match verdict event without a well-formed verdict'];
  END IF;
  SELECT * INTO act FROM recon.match_actions WHERE action_id = aid;
  IF NOT FOUND THEN
    v_state := 'REFUSED'; v_code := 'UNKNOWN_ACTION'; v_msg := format('no match action %s on the server', aid);
  ELSIF withdrawal AND act.actor <> ev.actor THEN
    v_state := 'REFUSED'; v_code := 'FORBIDDEN_ROLE'; v_msg := format('only %s, who made %s, can withdraw it', act.actor, aid);
  ELSIF NOT withdrawal AND act.actor = ev.actor THEN
    v_state := 'REFUSED'; v_code := 'FORBIDDEN_SELF_APPROVAL'; v_msg := format('%s made %s and cannot approve or reject it', ev.actor, aid);
  ELSIF recon.login_mismatch(ev.actor) THEN
    v_state := 'REFUSED'; v_code := 'LOGIN_MISMATCH'; v_msg := format('%s must push over their own database login, not %s', ev.actor, session_user);
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

REVOKE EXECUTE ON FUNCTION recon.match_action_live(TEXT), recon.match_action_in_force(TEXT),
  recon.project_match_settle(recon.audit_events, BIGINT, JSONB), recon.project_match_action(recon.audit_events, BIGINT),
  recon.project_match_verdict(recon.audit_events, BIGINT) FROM PUBLIC;

-- The dispatch, with match actions and their verdicts.
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

DROP TRIGGER audit_events_project ON recon.audit_events;
CREATE TRIGGER audit_events_project AFTER INSERT ON recon.audit_events FOR EACH ROW
WHEN (NEW.action IN ('run.started', 'run.completed', 'run.failed', 'decision.proposed', 'decision.applied', 'proposal.approved', 'proposal.rejected', 'proposal.withdrawn',
                     'definition.saved', 'breaks.carried',
                     'match.manual', 'match.unmatched', 'match.approved', 'match.rejected', 'match.withdrawn'))
EXECUTE FUNCTION recon.project_event();
