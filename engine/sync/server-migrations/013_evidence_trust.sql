-- Trust the trail (issue 17, item 8): a run's break evidence comes only from
-- the login its device pushes over.
--
-- review_breaks is first-row-wins (ON CONFLICT DO NOTHING: evidence never
-- changes), and any team login could insert rows for another device's run
-- before the real device did: a fake "BUY vs BUY, ROUNDING" row was shown to
-- the checker while the maker's real evidence was dropped. Now an insert is
-- refused (RC004) unless the session's login is the first_login of the device
-- that made the run (recon.devices, bound at that device's first push). The
-- run must already be on the server (the foreign key), so its device is
-- known. pushed_by and pushed_at are set here, never taken from the client,
-- so the approver is shown who really pushed what they look at.
--   RC004  evidence refused: DETAIL is {"run_id", "code"}

CREATE OR REPLACE FUNCTION recon.check_evidence() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = recon, pg_temp AS $$
DECLARE
  run_device TEXT;
  device_login TEXT;
BEGIN
  SELECT device_id INTO run_device FROM runs WHERE run_id = NEW.run_id;
  IF NOT FOUND THEN
    RETURN NEW; -- the foreign key refuses it (23503): the client retries once the run is pushed
  END IF;
  SELECT first_login INTO device_login FROM devices WHERE device_id = run_device;
  IF device_login IS DISTINCT FROM session_user THEN
    RAISE EXCEPTION USING ERRCODE = 'RC004',
      MESSAGE = format('evidence for run %s refused: the run was made on device %s, which pushes over the login %s, not %s',
                       NEW.run_id, run_device, coalesce(device_login, '(none)'), session_user),
      DETAIL = json_build_object('run_id', NEW.run_id, 'code', 'EVIDENCE_NOT_RUN_DEVICE')::text;
  END IF;
  NEW.pushed_by := session_user;
  NEW.pushed_at := now();
  RETURN NEW;
END $$;

CREATE TRIGGER review_breaks_owner BEFORE INSERT ON recon.review_breaks
FOR EACH ROW EXECUTE FUNCTION recon.check_evidence();

-- Evidence, like the events it supports, is never edited or removed.
CREATE TRIGGER review_breaks_append_only BEFORE UPDATE OR DELETE ON recon.review_breaks
FOR EACH ROW EXECUTE FUNCTION recon.append_only();

CREATE TRIGGER review_breaks_no_truncate BEFORE TRUNCATE ON recon.review_breaks
FOR EACH STATEMENT EXECUTE FUNCTION recon.append_only();

REVOKE EXECUTE ON FUNCTION recon.check_evidence() FROM PUBLIC;

-- Trust the trail (issue 17, item 9): the team's evidence-signing keys.
--
-- `recon evidence verify` never trusts the key inside a pack; it needs keys
-- the organisation trusts. Each workspace publishes the public half of its
-- evidence-signing key here (engine/sync/team-keys.ts), and every
-- workstation pulls the list, so a pack signed on any team workstation
-- verifies as "signed by <fingerprint>, published by <login>". The
-- fingerprint is computed here from the key itself, and the publishing login
-- is the session's: nobody can publish under another's name, and a key
-- published by an unexpected login shows as such.
CREATE TABLE recon.evidence_keys (
  fingerprint TEXT PRIMARY KEY,
  public_pem TEXT NOT NULL,
  device_id TEXT NOT NULL,
  published_by TEXT NOT NULL DEFAULT session_user,
  published_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE OR REPLACE FUNCTION recon.check_evidence_key() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = recon, pg_temp AS $$
DECLARE
  der BYTEA;
BEGIN
  BEGIN
    der := decode(regexp_replace(NEW.public_pem, '-----[A-Z ]+-----|\s', '', 'g'), 'base64');
  EXCEPTION WHEN others THEN
    RAISE EXCEPTION USING ERRCODE = '22023', MESSAGE = 'evidence key refused: not a PEM public key';
  END;
  -- An Ed25519 SubjectPublicKeyInfo is 44 bytes: the 12-byte header for OID 1.3.101.112, then the key.
  IF length(der) <> 44 OR substring(der FROM 1 FOR 12) <> '\x302a300506032b6570032100'::bytea THEN
    RAISE EXCEPTION USING ERRCODE = '22023', MESSAGE = 'evidence key refused: not an Ed25519 public key';
  END IF;
  NEW.fingerprint := encode(sha256(der), 'hex');
  NEW.published_by := session_user;
  NEW.published_at := now();
  RETURN NEW;
END $$;

CREATE TRIGGER evidence_keys_check BEFORE INSERT ON recon.evidence_keys
FOR EACH ROW EXECUTE FUNCTION recon.check_evidence_key();

CREATE TRIGGER evidence_keys_append_only BEFORE UPDATE OR DELETE ON recon.evidence_keys
FOR EACH ROW EXECUTE FUNCTION recon.append_only();

GRANT SELECT, INSERT ON recon.evidence_keys TO recon_sync;
REVOKE EXECUTE ON FUNCTION recon.check_evidence_key() FROM PUBLIC;

-- Four-eye rule (issue 17, item 10): the bulk limit, on the server too.
--
-- A workstation turns a bulk decision over its workspace's limit into a
-- proposal, counting what the person decided in bulk on the run in the last
-- 24 hours (splitting 32 breaks into 2 + 15 + 15 under a limit of 20 no
-- longer passes). A modified client could skip that, so the server counts
-- again, with its own clock and the team's limit: a direct (not proposed)
-- bulk decision whose breaks, with the person's other direct bulk decisions
-- on the same run received in the last 24 hours, exceed the limit is REFUSED
-- (BULK_LIMIT), and the maker's workstation undoes it as it does any refused
-- decision; proposing it for approval is always possible.
CREATE TABLE recon.team_settings (
  name TEXT PRIMARY KEY CHECK (name IN ('review.bulkProposalThreshold')),
  value JSONB NOT NULL,
  set_by TEXT NOT NULL DEFAULT session_user,
  set_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
COMMENT ON TABLE recon.team_settings IS 'Team-wide limits the server enforces; administered as the schema owner (engine/sync/README.md).';
GRANT SELECT ON recon.team_settings TO recon_sync;

-- The workspace default (engine/workflow/settings.ts) when the team has set none.
CREATE FUNCTION recon.team_bulk_limit() RETURNS INTEGER
LANGUAGE sql STABLE AS $$
  SELECT coalesce((SELECT (value #>> '{}')::int FROM recon.team_settings WHERE name = 'review.bulkProposalThreshold'), 50)
$$;

-- Breaks a person decided directly in bulk on a run, received by the server in the last 24 hours.
CREATE FUNCTION recon.recent_bulk_breaks(p_actor TEXT, p_run TEXT) RETURNS BIGINT
LANGUAGE sql STABLE AS $$
  SELECT coalesce(sum(d.break_count), 0)
    FROM recon.decisions d JOIN recon.audit_events e ON e.device_id = d.device_id AND e.seq = d.seq
   WHERE d.actor = p_actor AND d.run_id = p_run AND d.state = 'APPLIED' AND NOT d.is_proposal AND d.bulk_filter IS NOT NULL
     AND e.received_at > now() - interval '24 hours'
$$;

CREATE INDEX decisions_by_actor_run ON recon.decisions (actor, run_id);
REVOKE EXECUTE ON FUNCTION recon.team_bulk_limit(), recon.recent_bulk_breaks(TEXT, TEXT) FROM PUBLIC;

-- 011's project_decision (per-break supersede), with the bulk limit checked
-- after the login and role checks: a refused decision is recorded REFUSED
-- with its breaks, and changes no status.
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
  ELSIF NOT proposal AND jsonb_typeof(d->'bulk_filter') = 'object'
        AND recon.recent_bulk_breaks(ev.actor, rid) + v_total > recon.team_bulk_limit() THEN
    v_state := 'REFUSED'; v_code := 'BULK_LIMIT';
    v_msg := format('%s decided %s breaks in bulk on run %s within 24 hours with this one, over the team''s limit of %s: propose it for approval instead',
                    ev.actor, recon.recent_bulk_breaks(ev.actor, rid) + v_total, rid, recon.team_bulk_limit());
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

REVOKE EXECUTE ON FUNCTION recon.project_decision(recon.audit_events, BIGINT) FROM PUBLIC;
