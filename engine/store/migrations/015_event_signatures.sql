-- Events are signed (team sync, server migration 010): each device signs its
-- events with its Ed25519 key (engine/sync/device-key.ts) when it pushes them,
-- and every workstation checks the signatures of what it pulls.
--
-- This device's signatures live on its outbox rows (signed at push time, after
-- the event was appended: the outbox may set a signature once, never change
-- it). Pulled events keep theirs on the audit row, written with the row.
-- Both stay outside the hashed fields: the hash covers the content and the
-- link, the signature covers the hash.
ALTER TABLE outbox ADD COLUMN signature TEXT;
ALTER TABLE audit_events ADD COLUMN signature TEXT;

CREATE TRIGGER outbox_signature_once BEFORE UPDATE OF signature ON outbox
WHEN OLD.signature IS NOT NULL AND NEW.signature IS NOT OLD.signature
BEGIN
  SELECT RAISE(ABORT, 'an outbox row''s signature is set once and never changed');
END;

-- The public keys of the devices whose signatures this workspace checks (its
-- own, and each device it pulled from), as the team server registered them.
-- A key never changes: a server that later shows another key for a device is
-- a broken server copy (engine/sync/event-signatures.ts).
CREATE TABLE device_keys (
  device_id TEXT PRIMARY KEY NOT NULL,
  public_key TEXT NOT NULL,          -- base64 of the raw 32-byte Ed25519 key
  first_signed_seq INTEGER NOT NULL CHECK (first_signed_seq >= 1),
  login TEXT,
  registered_at TEXT
) STRICT;

CREATE TRIGGER device_keys_no_update BEFORE UPDATE ON device_keys
BEGIN
  SELECT RAISE(ABORT, 'device keys are never replaced');
END;

CREATE TRIGGER device_keys_no_delete BEFORE DELETE ON device_keys
BEGIN
  SELECT RAISE(ABORT, 'device keys are never deleted');
END;
