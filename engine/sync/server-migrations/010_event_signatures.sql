-- Events are signed (issue 17, item 4). The hash chain proves an event was
-- not changed after it was chained, but anyone who can insert (another team
-- login) or rewrite rows (the schema owner, a superuser with the triggers
-- off) can compute hashes. Each device now signs every event with its own
-- Ed25519 key, which never leaves the workstation's keychain:
--
--   signature = Ed25519(device key, "recon-event-v1\n<device_id>\n<seq>\n<hash>")
--
-- (the hash covers the content and the link; the prefix keeps these
-- signatures from meaning anything elsewhere). The signature travels in its
-- own column, outside the hashed JSON.
--
-- SQLSTATE: RC002 as in 002 (SIGNATURE_MISSING, SIGNATURE_INVALID);
--   RC006  device key refused: DETAIL is {"code"} (DEVICE_LOGIN_MISMATCH)
--
-- recon.device_keys holds each device's public key, registered once over the
-- device's login (devices.first_login): no login can register a key for
-- another login's device, and no one can replace it (no UPDATE grant, RC003
-- triggers). Events from first_signed_seq on must carry a valid signature
-- (RC002 SIGNATURE_MISSING / SIGNATURE_INVALID, parked by the client);
-- events held before this migration stay unsigned, and verification reports
-- them as such.
--
-- PostgreSQL has no Ed25519: recon_crypto.ed25519_verify is PL/Python, which
-- only a superuser can create (engine/sync/server-setup/ed25519.sql).

DO $$
BEGIN
  IF to_regprocedure('recon_crypto.ed25519_verify(bytea,bytea,bytea)') IS NULL
     OR NOT has_function_privilege('recon_crypto.ed25519_verify(bytea,bytea,bytea)', 'EXECUTE') THEN
    RAISE EXCEPTION 'server migration 010 needs recon_crypto.ed25519_verify, which only a superuser can create: run engine/sync/server-setup/ed25519.sql as a superuser in this database (psql -U postgres -d <database> -f engine/sync/server-setup/ed25519.sql), then recon sync init again';
  END IF;
  -- RFC 8032 test 1: proves python3-cryptography is importable (the function itself loads it lazily).
  BEGIN
    IF NOT recon_crypto.ed25519_verify('\xd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a'::bytea, ''::bytea,
         '\xe5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b'::bytea) THEN
      RAISE EXCEPTION 'recon_crypto.ed25519_verify rejects the RFC 8032 test vector';
    END IF;
  EXCEPTION WHEN others THEN
    RAISE EXCEPTION 'server migration 010: recon_crypto.ed25519_verify does not work (%): install python3-cryptography on the database server and run engine/sync/server-setup/ed25519.sql as a superuser', SQLERRM;
  END;
END $$;

ALTER TABLE recon.audit_events ADD COLUMN signature BYTEA;
COMMENT ON COLUMN recon.audit_events.signature IS 'Ed25519 over "recon-event-v1\n<device_id>\n<seq>\n<hash>" by the device key (device_keys); NULL only for events from before signatures (seq < first_signed_seq).';

CREATE TABLE recon.device_keys (
  device_id TEXT PRIMARY KEY REFERENCES recon.devices(device_id),
  public_key BYTEA NOT NULL CHECK (length(public_key) = 32),
  login TEXT NOT NULL,
  -- The device's head + 1 when the key was registered: earlier events were pushed before signatures.
  first_signed_seq BIGINT NOT NULL CHECK (first_signed_seq >= 1),
  registered_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Registration: a team login inserts (device_id, public_key); the rest is
-- set here. The device's row is locked as by the chain trigger, so a key
-- registration and a push of the same device do not interleave; a new device
-- becomes this login's, as with its first event.
CREATE FUNCTION recon.register_device_key() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = recon, pg_temp AS $$
DECLARE
  device_login TEXT;
BEGIN
  SELECT first_login INTO device_login FROM devices WHERE device_id = NEW.device_id FOR UPDATE;
  IF NOT FOUND THEN
    INSERT INTO devices (device_id, first_login) VALUES (NEW.device_id, session_user) ON CONFLICT DO NOTHING;
    SELECT first_login INTO device_login FROM devices WHERE device_id = NEW.device_id FOR UPDATE;
  END IF;
  IF device_login <> session_user THEN
    RAISE EXCEPTION USING ERRCODE = 'RC006', DETAIL = json_build_object('code', 'DEVICE_LOGIN_MISMATCH')::text,
      MESSAGE = format('device %s belongs to the login %s: %s cannot register its key', NEW.device_id, device_login, session_user);
  END IF;
  NEW.login := session_user;
  NEW.registered_at := now();
  NEW.first_signed_seq := COALESCE((SELECT seq FROM chain_heads WHERE device_id = NEW.device_id), 0) + 1;
  RETURN NEW;
END $$;

CREATE TRIGGER device_keys_register BEFORE INSERT ON recon.device_keys
FOR EACH ROW EXECUTE FUNCTION recon.register_device_key();
CREATE TRIGGER device_keys_append_only BEFORE UPDATE OR DELETE ON recon.device_keys
FOR EACH ROW EXECUTE FUNCTION recon.append_only();
CREATE TRIGGER device_keys_no_truncate BEFORE TRUNCATE ON recon.device_keys
FOR EACH STATEMENT EXECUTE FUNCTION recon.append_only();

-- Runs after audit_events_chain (triggers fire in name order), which has
-- checked the hash and the device's login and skipped replays. A device
-- without a key cannot append any more: every client signs from this
-- migration on.
CREATE FUNCTION recon.check_signature() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = recon, pg_temp AS $$
DECLARE
  k RECORD;
BEGIN
  SELECT public_key, first_signed_seq INTO k FROM device_keys WHERE device_id = NEW.device_id;
  IF NOT FOUND THEN
    PERFORM invalid_event(NEW.seq, 'SIGNATURE_MISSING', format('device %s has no registered key: event seq %s cannot be checked', NEW.device_id, NEW.seq));
  END IF;
  IF NEW.signature IS NULL THEN
    PERFORM invalid_event(NEW.seq, 'SIGNATURE_MISSING', format('device %s event seq %s is not signed', NEW.device_id, NEW.seq));
  END IF;
  IF NOT recon_crypto.ed25519_verify(k.public_key, convert_to('recon-event-v1' || E'\n' || NEW.device_id || E'\n' || NEW.seq::text || E'\n' || NEW.hash, 'UTF8'), NEW.signature) THEN
    PERFORM invalid_event(NEW.seq, 'SIGNATURE_INVALID', format('device %s event seq %s: the signature does not match the device key', NEW.device_id, NEW.seq));
  END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER audit_events_signature BEFORE INSERT ON recon.audit_events
FOR EACH ROW EXECUTE FUNCTION recon.check_signature();

GRANT SELECT ON recon.device_keys TO recon_sync;
GRANT INSERT (device_id, public_key) ON recon.device_keys TO recon_sync;
REVOKE EXECUTE ON FUNCTION recon.register_device_key(), recon.check_signature() FROM PUBLIC;
