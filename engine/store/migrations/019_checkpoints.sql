-- Signed checkpoints (team sync, server migration 014, sync/checkpoints.ts):
-- this workspace's own last-pushed head, and the latest checkpoint it has
-- seen of every other device. They are the anchors a truncated or rewritten
-- chain is held against: the server's copy must still hold each of them.
-- A checkpoint only moves forward.
CREATE TABLE chain_checkpoints (
  device_id TEXT PRIMARY KEY NOT NULL,
  seq INTEGER NOT NULL CHECK (seq >= 1),
  hash TEXT NOT NULL,
  signed_at TEXT NOT NULL,
  signature TEXT NOT NULL,          -- base64 Ed25519, by the device's key
  own INTEGER NOT NULL CHECK (own IN (0, 1)),
  recorded_at TEXT NOT NULL
) STRICT;

CREATE TRIGGER chain_checkpoints_forward BEFORE UPDATE ON chain_checkpoints
WHEN NEW.seq < OLD.seq OR (NEW.seq = OLD.seq AND NEW.hash IS NOT OLD.hash)
BEGIN
  SELECT RAISE(ABORT, 'a checkpoint only moves forward');
END;
