-- Pull by window (engine/sync/pull-window.ts): a workstation may hold another
-- device's chain from some seq k > 1 only. The anchor is seq k - 1 and its hash
-- as the team server gave it: the local walk (`recon audit verify`) checks the
-- chain from there, and history fetched later must end exactly on it.
-- anchor_seq 0 never appears: a chain held from seq 1 has no anchor row.
CREATE TABLE chain_anchors (
  device_id TEXT PRIMARY KEY NOT NULL,
  anchor_seq INTEGER NOT NULL CHECK (anchor_seq >= 1),
  anchor_hash TEXT NOT NULL,
  -- The window's start when the anchor was set: events before it were not pulled.
  since TEXT NOT NULL,
  set_at TEXT NOT NULL
) STRICT;

-- Older history on its way in (`recon sync pull --history`): pages land here,
-- checked link by link, and move into audit_events in one transaction only once
-- the last of them links exactly into the anchor. Empty between pulls.
CREATE TABLE chain_history_stage (
  device_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  event TEXT NOT NULL,
  -- The event's Ed25519 signature as the ordinary pull keeps it (store migration 015), when signed.
  signature TEXT,
  PRIMARY KEY (device_id, seq)
) STRICT;
