-- The server keeps each device's hash chain verifiable on its own: an event is
-- accepted only if its hash matches its content and it links to the head the
-- server holds for that device. Errors a client acts on have their own SQLSTATE:
--   RC001  gap: the event is past head + 1; DETAIL is the head seq (resend from head + 1)
--   RC002  invalid event; DETAIL is {"seq", "code"} (the client parks it)
--   RC003  append-only: audit events are never updated, deleted or truncated

CREATE FUNCTION recon.invalid_event(p_seq BIGINT, p_code TEXT, p_message TEXT) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION USING ERRCODE = 'RC002', MESSAGE = p_message, DETAIL = json_build_object('seq', p_seq, 'code', p_code)::text;
END $$;

-- The hashed body is the canonical JSON without its "hash" member: the text
-- with `,"hash":"<hash>",` cut to `,`. That marker cannot also occur inside
-- before/after (the body would have to contain its own SHA-256), so its
-- first occurrence is the top-level member. (A regular expression anchored
-- at the end did the same at 50x the cost.)
CREATE FUNCTION recon.event_body(event_text TEXT, event_hash TEXT) RETURNS TEXT
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN p > 0 THEN overlay(event_text PLACING ',' FROM p FOR length(m)) END
    FROM (SELECT m, strpos(event_text, m) AS p FROM (SELECT ',"hash":"' || event_hash || '",' AS m) x) y
$$;

CREATE FUNCTION recon.check_chain() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = recon, pg_temp AS $$
DECLARE
  e JSONB;
  head_seq BIGINT;
  head_hash TEXT;
  body TEXT;
  existing TEXT;
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

  -- One writer per device at a time (transaction lock): concurrent pushes of
  -- the same chain queue up instead of both appending at the same seq.
  PERFORM pg_advisory_xact_lock(7261002, hashtext(NEW.device_id));
  -- The head is the last event held; earlier rows of the same INSERT count.
  SELECT seq, hash INTO head_seq, head_hash FROM audit_events WHERE device_id = NEW.device_id ORDER BY seq DESC LIMIT 1;
  IF NOT FOUND THEN
    head_seq := 0;
    head_hash := repeat('0', 64);
    INSERT INTO devices (device_id, first_login) VALUES (NEW.device_id, session_user) ON CONFLICT DO NOTHING;
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

CREATE TRIGGER audit_events_chain BEFORE INSERT ON recon.audit_events
FOR EACH ROW EXECUTE FUNCTION recon.check_chain();

-- chain_heads records the last (seq, hash) per device once per statement
-- (updating one row per event would grow a version chain inside a batch):
-- verification compares it with the chain, so a deleted tail shows.
CREATE FUNCTION recon.advance_heads() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = recon, pg_temp AS $$
BEGIN
  INSERT INTO chain_heads (device_id, seq, hash, updated_at)
  SELECT DISTINCT ON (device_id) device_id, seq, hash, now() FROM inserted ORDER BY device_id, seq DESC
  ON CONFLICT (device_id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, updated_at = excluded.updated_at
  WHERE chain_heads.seq < excluded.seq;
  RETURN NULL;
END $$;

CREATE TRIGGER audit_events_heads AFTER INSERT ON recon.audit_events
REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION recon.advance_heads();

CREATE FUNCTION recon.append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION USING ERRCODE = 'RC003', MESSAGE = format('%s is append-only: %s refused', TG_TABLE_NAME, TG_OP);
END $$;

CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON recon.audit_events
FOR EACH ROW EXECUTE FUNCTION recon.append_only();

CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON recon.audit_events
FOR EACH STATEMENT EXECUTE FUNCTION recon.append_only();

-- Outcomes are facts about events: as permanent as the events.
CREATE TRIGGER event_outcomes_append_only BEFORE UPDATE OR DELETE ON recon.event_outcomes
FOR EACH ROW EXECUTE FUNCTION recon.append_only();
