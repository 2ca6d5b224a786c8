-- The tamper-evident audit trail: one hash chain per device, seq contiguous
-- from 1. hash = sha256(canonical JSON of the other fields, prev_hash included).
-- before/after hold canonical JSON text ('null' when empty), never SQL NULL,
-- so that every byte of a row is covered by the hash.
CREATE TABLE audit_events (
  device_id TEXT NOT NULL,
  seq INTEGER NOT NULL CHECK (seq >= 1),
  event_id TEXT NOT NULL UNIQUE,
  actor TEXT NOT NULL,
  at TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT NOT NULL,
  before TEXT NOT NULL CHECK (json_valid(before)),
  after TEXT NOT NULL CHECK (json_valid(after)),
  comment TEXT,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL,
  PRIMARY KEY (device_id, seq)
) STRICT;

CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
  SELECT RAISE(ABORT, 'audit_events is append-only');
END;

CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
  SELECT RAISE(ABORT, 'audit_events is append-only');
END;

-- The last (seq, hash) per device, written in the same transaction as the
-- event: without it, deleting the newest events would leave a valid chain.
CREATE TABLE audit_heads (
  device_id TEXT PRIMARY KEY NOT NULL,
  seq INTEGER NOT NULL,
  hash TEXT NOT NULL
) STRICT;

-- What team sync pushes, keyed (device_id, seq) like the event it carries, so
-- a push is idempotent with INSERT ... ON CONFLICT DO NOTHING on the server.
CREATE TABLE outbox (
  device_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  kind TEXT NOT NULL,
  payload TEXT NOT NULL CHECK (json_valid(payload)),
  created_at TEXT NOT NULL,
  pushed_at TEXT,
  PRIMARY KEY (device_id, seq)
) STRICT;

CREATE INDEX outbox_pending ON outbox(device_id, seq) WHERE pushed_at IS NULL;

-- Sync may only stamp pushed_at; the payload itself never changes or disappears.
CREATE TRIGGER outbox_payload_immutable BEFORE UPDATE OF device_id, seq, kind, payload, created_at ON outbox
BEGIN
  SELECT RAISE(ABORT, 'outbox rows are immutable except pushed_at');
END;

CREATE TRIGGER outbox_no_delete BEFORE DELETE ON outbox
BEGIN
  SELECT RAISE(ABORT, 'outbox rows are never deleted');
END;
