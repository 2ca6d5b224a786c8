-- Truncation becomes detectable (issue 17, item 7): signed checkpoints.
--
-- A hash chain shows any edit, deletion inside or reordering of a chain, but
-- not the loss of its tail: delete a device's last events, fix chain_heads,
-- and what is left is a valid, shorter chain. The schema owner can do that
-- on the server (disable the append-only trigger), and anyone who can write
-- workspace.sqlite can do it locally (tail, outbox rows and head together).
--
-- So each device signs its head after every push that moved it:
--
--   signature = Ed25519(device key, "recon-checkpoint-v1\n<device_id>\n<seq>\n<hash>\n<signed_at>")
--
-- and keeps that checkpoint (its own last-pushed head) in its workspace. The
-- server keeps every checkpoint, and each workstation keeps the latest one it
-- has seen of every other device. Verification (engine/sync/checkpoints.ts)
-- then holds the server's copy against what the verifying workstation saw:
-- a checkpoint past the server's head, or at a seq where the server holds
-- another hash, is a truncation or a rewrite, whoever made it, the table
-- owner included. docs/ARCHITECTURE.md ("What verification proves") says
-- which anchor catches what.
--
-- Here the server checks what it can at insert: the pushing login is the
-- device's, the signature is the device key's, and the checkpoint names an
-- event the server holds (so a checkpoint can never run ahead of the chain).
--   RC005  checkpoint refused: DETAIL is {"device_id", "seq", "code"}

CREATE TABLE recon.checkpoints (
  device_id TEXT NOT NULL REFERENCES recon.device_keys(device_id),
  seq BIGINT NOT NULL CHECK (seq >= 1),
  hash TEXT NOT NULL,
  signed_at TEXT NOT NULL,
  signature BYTEA NOT NULL,
  received_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (device_id, seq)
);

CREATE FUNCTION recon.check_checkpoint() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = recon, pg_temp AS $$
DECLARE
  k RECORD;
  held TEXT;
  code TEXT;
  msg TEXT;
BEGIN
  SELECT d.first_login, dk.public_key INTO k FROM devices d JOIN device_keys dk USING (device_id) WHERE d.device_id = NEW.device_id;
  IF NOT FOUND THEN
    code := 'DEVICE_UNKNOWN'; msg := format('device %s has no registered key', NEW.device_id);
  ELSIF k.first_login <> session_user THEN
    code := 'DEVICE_LOGIN_MISMATCH'; msg := format('device %s pushes over the login %s, not %s', NEW.device_id, k.first_login, session_user);
  ELSIF NOT recon_crypto.ed25519_verify(k.public_key,
          convert_to('recon-checkpoint-v1' || E'\n' || NEW.device_id || E'\n' || NEW.seq::text || E'\n' || NEW.hash || E'\n' || NEW.signed_at, 'UTF8'), NEW.signature) THEN
    code := 'SIGNATURE_INVALID'; msg := format('checkpoint of device %s at seq %s: the signature does not match the device key', NEW.device_id, NEW.seq);
  ELSE
    SELECT hash INTO held FROM audit_events WHERE device_id = NEW.device_id AND seq = NEW.seq;
    IF held IS DISTINCT FROM NEW.hash THEN
      code := 'NOT_IN_CHAIN'; msg := format('checkpoint of device %s at seq %s names an event the server does not hold', NEW.device_id, NEW.seq);
    END IF;
  END IF;
  IF code IS NOT NULL THEN
    RAISE EXCEPTION USING ERRCODE = 'RC005', MESSAGE = msg,
      DETAIL = json_build_object('device_id', NEW.device_id, 'seq', NEW.seq, 'code', code)::text;
  END IF;
  NEW.received_at := now();
  RETURN NEW;
END $$;

CREATE TRIGGER checkpoints_check BEFORE INSERT ON recon.checkpoints
FOR EACH ROW EXECUTE FUNCTION recon.check_checkpoint();
CREATE TRIGGER checkpoints_append_only BEFORE UPDATE OR DELETE ON recon.checkpoints
FOR EACH ROW EXECUTE FUNCTION recon.append_only();
CREATE TRIGGER checkpoints_no_truncate BEFORE TRUNCATE ON recon.checkpoints
FOR EACH STATEMENT EXECUTE FUNCTION recon.append_only();

GRANT SELECT ON recon.checkpoints TO recon_sync;
GRANT INSERT (device_id, seq, hash, signed_at, signature) ON recon.checkpoints TO recon_sync;
REVOKE EXECUTE ON FUNCTION recon.check_checkpoint() FROM PUBLIC;
