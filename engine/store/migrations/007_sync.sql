-- Team sync bookkeeping (engine/sync). None of this is a decision: it records
-- what the team server acknowledged, refused or ordered, so it is not audited.

-- Watermarks and timestamps (last push, last pull, the server order pulled up to).
CREATE TABLE sync_state (
  key TEXT PRIMARY KEY NOT NULL,
  value TEXT NOT NULL CHECK (json_valid(value)),
  updated_at TEXT NOT NULL
) STRICT;

-- Events the server did not take as they are. REFUSED: the event is in the
-- server's chain but its effect was refused (e.g. the 4-eye rule), nothing is
-- blocked. INVALID: the server cannot chain the event (edited, forked), so
-- this device's events from from_seq on wait until the user clears the park.
CREATE TABLE sync_parked (
  device_id TEXT NOT NULL,
  from_seq INTEGER NOT NULL,
  to_seq INTEGER NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('REFUSED', 'INVALID')),
  code TEXT NOT NULL,
  message TEXT NOT NULL,
  parked_at TEXT NOT NULL,
  cleared_at TEXT,
  PRIMARY KEY (device_id, from_seq, kind)
) STRICT;

-- The server's verdict on each decision and approval it holds, in its order.
-- A decision that lost a race to another device is SUPERSEDED (detail: the
-- winning decision); it stays in `decisions`, visible in history.
CREATE TABLE sync_decisions (
  id TEXT PRIMARY KEY NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('decision', 'approval')),
  decision_id TEXT NOT NULL,
  device_id TEXT NOT NULL,
  server_order INTEGER NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('APPLIED', 'SUPERSEDED', 'REFUSED')),
  detail TEXT,
  synced_at TEXT NOT NULL
) STRICT;

CREATE INDEX sync_decisions_by_decision ON sync_decisions(decision_id);

-- Runs made on other devices: registered here so their proposals can be
-- approved, but their DuckDB file lives elsewhere.
CREATE TABLE sync_remote_runs (
  run_id TEXT PRIMARY KEY NOT NULL REFERENCES runs(run_id),
  device_id TEXT NOT NULL,
  pulled_at TEXT NOT NULL
) STRICT;

-- The evidence for remote breaks under review (decimals as text, exactly as the server holds them).
CREATE TABLE sync_remote_breaks (
  run_id TEXT NOT NULL REFERENCES runs(run_id),
  break_id INTEGER NOT NULL,
  key TEXT NOT NULL,
  field TEXT NOT NULL,
  diff_type TEXT NOT NULL,
  value_a TEXT,
  value_b TEXT,
  delta TEXT,
  base_status TEXT NOT NULL,
  reason TEXT,
  confidence TEXT,
  PRIMARY KEY (run_id, break_id)
) STRICT, WITHOUT ROWID;

-- Local runs whose review evidence is on the server.
CREATE TABLE sync_evidence_runs (
  run_id TEXT PRIMARY KEY NOT NULL REFERENCES runs(run_id),
  breaks INTEGER NOT NULL,
  pushed_at TEXT NOT NULL
) STRICT;
