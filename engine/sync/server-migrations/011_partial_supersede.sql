-- Conflicts lose intent per break, not per decision (issue 17, item 13).
--
-- Before: a bulk decision or proposal of 84 breaks that found ONE break
-- already moved by another device's earlier decision was SUPERSEDED as a
-- whole, and its other 83 breaks went back to AUTO on every workstation: the
-- maker's intent for them was lost without a word. Now only the breaks
-- another device holds are lost. The decision stays APPLIED (a proposal stays
-- pending) for the breaks it still covers; each lost break is a row of
-- recon.superseded_breaks naming the decision that held it then, with its
-- status and reason (what won), so the loser can be told. A decision that
-- lost every break is SUPERSEDED as before (its rows are recorded too).
--
-- An approval, rejection or withdrawal of a partly superseded proposal
-- settles the breaks it still holds, never the lost ones.
--
-- Everything else of 009 holds: login binding, 4-eye by actor and by login,
-- the server-order row lock (taken by project_event, unchanged).

CREATE TABLE recon.superseded_breaks (
  decision_id TEXT NOT NULL REFERENCES recon.decisions(decision_id),
  break_id BIGINT NOT NULL,
  -- The decision holding the break on the server when this one arrived: the winner.
  superseded_by TEXT NOT NULL REFERENCES recon.decisions(decision_id),
  -- What the winner had made of the break then.
  status TEXT NOT NULL,
  reason TEXT,
  server_order BIGINT NOT NULL,
  PRIMARY KEY (decision_id, break_id)
);
CREATE INDEX superseded_breaks_by_order ON recon.superseded_breaks(server_order);
CREATE TRIGGER superseded_breaks_append_only BEFORE UPDATE OR DELETE ON recon.superseded_breaks FOR EACH ROW EXECUTE FUNCTION recon.append_only();
GRANT SELECT ON recon.superseded_breaks TO recon_sync;
COMMENT ON TABLE recon.superseded_breaks IS 'Breaks a decision or proposal lost to another device''s earlier decision; the decision keeps the rest.';

-- 003's decision, superseded per break.
CREATE OR REPLACE FUNCTION recon.project_decision(ev recon.audit_events, ord BIGINT) RETURNS TEXT[]
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
  v_total INT;
  v_lost INT := 0;
BEGIN
  IF did IS NULL OR rid IS NULL OR e->'after'->'columns' <> '["break_id","status","final_status","reason"]'::jsonb
     OR e->'before'->'columns' <> '["break_id","status"]'::jsonb
     OR jsonb_array_length(e->'after'->'rows') <> jsonb_array_length(e->'before'->'rows') THEN
    RETURN ARRAY['REFUSED', 'MALFORMED', 'decision event without a well-formed decision'];
  END IF;
  IF EXISTS (SELECT 1 FROM recon.decisions WHERE decision_id = did) THEN
    RETURN ARRAY['REFUSED', 'DUPLICATE_ID', format('decision %s already exists', did)];
  END IF;
  v_total := jsonb_array_length(e->'after'->'rows');
  IF NOT EXISTS (SELECT 1 FROM recon.runs WHERE run_id = rid) THEN
    v_state := 'REFUSED'; v_code := 'RUN_UNKNOWN'; v_msg := format('run %s is not on the server', rid);
  ELSIF recon.login_mismatch(ev.actor) THEN
    v_state := 'REFUSED'; v_code := 'LOGIN_MISMATCH'; v_msg := format('%s must push over their own database login, not %s', ev.actor, session_user);
  ELSIF NOT recon.has_role(ev.actor, 'analyst') THEN
    v_state := 'REFUSED'; v_code := 'FORBIDDEN_ROLE'; v_msg := format('%s does not hold the analyst role on the team server', ev.actor);
  ELSE
    -- A break is lost when another decision moved it from where the maker saw it.
    SELECT count(*) INTO v_lost
      FROM jsonb_array_elements(e->'before'->'rows') b(y)
      JOIN recon.break_status s ON s.run_id = rid AND s.break_id = (b.y->>0)::bigint
     WHERE s.status <> b.y->>1;
    IF v_lost > 0 THEN
      SELECT s.decision_id, s.break_id INTO v_winner, v_break
        FROM jsonb_array_elements(e->'before'->'rows') b(y)
        JOIN recon.break_status s ON s.run_id = rid AND s.break_id = (b.y->>0)::bigint
       WHERE s.status <> b.y->>1
       ORDER BY s.changed_order DESC LIMIT 1;
      IF v_lost = v_total THEN
        v_state := 'SUPERSEDED'; v_code := 'SUPERSEDED';
        v_msg := CASE WHEN v_total = 1 THEN format('break %s was decided first by decision %s', v_break, v_winner)
                      ELSE format('all %s breaks were decided first by other decisions (last: break %s by decision %s)', v_total, v_break, v_winner) END;
      ELSE
        -- Still APPLIED: the outcome's code tells the maker's device it lost some breaks.
        v_code := 'PARTLY_SUPERSEDED';
        v_msg := format('%s of %s breaks were decided first by other decisions (last: break %s by decision %s); the other %s stand',
                        v_lost, v_total, v_break, v_winner, v_total - v_lost);
      END IF;
    END IF;
  END IF;
  INSERT INTO recon.decisions (decision_id, device_id, seq, run_id, kind, reason, comment, actor, decided_at, is_proposal,
                               bulk_filter, break_count, state, superseded_by, refusal_code, server_order)
  VALUES (did, ev.device_id, ev.seq, rid, d->>'kind', d->>'reason', (e->>'comment'), ev.actor, ev.at, proposal,
          CASE WHEN jsonb_typeof(d->'bulk_filter') = 'object' THEN d->'bulk_filter' END,
          v_total, v_state, CASE WHEN v_state = 'SUPERSEDED' THEN v_winner END,
          CASE WHEN v_state = 'REFUSED' THEN v_code END, ord);
  INSERT INTO recon.decision_breaks (decision_id, break_id, from_status, to_status, reason)
  SELECT did, (a.x->>0)::bigint, b.y->>1, a.x->>2, a.x->>3
    FROM jsonb_array_elements(e->'after'->'rows') WITH ORDINALITY a(x, i)
    JOIN jsonb_array_elements(e->'before'->'rows') WITH ORDINALITY b(y, j) ON a.i = b.j;
  IF v_lost > 0 THEN
    INSERT INTO recon.superseded_breaks (decision_id, break_id, superseded_by, status, reason, server_order)
    SELECT did, db.break_id, s.decision_id, s.status, s.reason, ord
      FROM recon.decision_breaks db
      JOIN recon.break_status s ON s.run_id = rid AND s.break_id = db.break_id
     WHERE db.decision_id = did AND s.status <> db.from_status;
  END IF;
  IF v_state = 'APPLIED' THEN
    INSERT INTO recon.break_status (run_id, break_id, status, reason, decision_id, approval_id, changed_order)
    SELECT rid, db.break_id, CASE WHEN proposal THEN 'PROPOSED' ELSE db.to_status END,
           CASE WHEN proposal THEN NULL ELSE db.reason END, did, NULL, ord
      FROM recon.decision_breaks db
     WHERE db.decision_id = did
       AND NOT EXISTS (SELECT 1 FROM recon.superseded_breaks x WHERE x.decision_id = did AND x.break_id = db.break_id)
    ON CONFLICT (run_id, break_id) DO UPDATE SET status = excluded.status, reason = excluded.reason,
      decision_id = excluded.decision_id, approval_id = NULL, changed_order = excluded.changed_order;
  END IF;
  RETURN ARRAY[v_state, v_code, v_msg];
END $$;

-- 009's approval (login binding, 4-eye by actor and login, carried breaks),
-- settling only the breaks the proposal still holds: its lost ones belong to
-- the decisions that won them.
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
                 WHERE db.decision_id = did
                   AND NOT EXISTS (SELECT 1 FROM recon.superseded_breaks x WHERE x.decision_id = did AND x.break_id = db.break_id)
                   AND (s.decision_id IS DISTINCT FROM did OR s.status <> 'PROPOSED')) THEN
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
     WHERE db.decision_id = did AND s.run_id = dec.run_id AND s.break_id = db.break_id
       AND s.decision_id = did
       AND NOT EXISTS (SELECT 1 FROM recon.superseded_breaks x WHERE x.decision_id = did AND x.break_id = db.break_id);
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

REVOKE EXECUTE ON FUNCTION recon.project_decision(recon.audit_events, BIGINT), recon.project_approval(recon.audit_events, BIGINT) FROM PUBLIC;
