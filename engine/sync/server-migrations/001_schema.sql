-- The team server's copy of every workstation's audit trail, and the shared
-- workflow state derived from it. Devices only ever INSERT audit events (and
-- break evidence); every other table is written by the triggers in 002/003,
-- which run as the schema owner, so the rules live in the database.

-- Workstations (a workspace is one device); registered by their first event.
CREATE TABLE recon.devices (
  device_id TEXT PRIMARY KEY,
  first_login TEXT NOT NULL,
  first_seen_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- The team's users and roles, administered here (README: grants). db_login,
-- when set, binds the user to one PostgreSQL login: their decisions and
-- approvals count only when pushed over that login.
CREATE TABLE recon.users (
  user_id TEXT PRIMARY KEY CHECK (length(user_id) BETWEEN 1 AND 256),
  display_name TEXT NOT NULL,
  db_login TEXT,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE recon.user_roles (
  user_id TEXT NOT NULL REFERENCES recon.users(user_id),
  role TEXT NOT NULL CHECK (role IN ('analyst', 'approver', 'admin')),
  granted_by TEXT NOT NULL DEFAULT session_user,
  granted_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, role)
);

-- The last (seq, hash) held per device, kept by the chain trigger (002):
-- verification checks the chain ends there, so a deleted tail shows.
CREATE TABLE recon.chain_heads (
  device_id TEXT PRIMARY KEY REFERENCES recon.devices(device_id),
  seq BIGINT NOT NULL CHECK (seq >= 0),
  hash TEXT NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- `event` is the exact canonical JSON the device hashed (json keeps the text
-- byte for byte; jsonb would reorder it). The other columns are copied from
-- it by the chain trigger, for querying.
CREATE TABLE recon.audit_events (
  device_id TEXT NOT NULL REFERENCES recon.devices(device_id),
  seq BIGINT NOT NULL CHECK (seq >= 1),
  event JSON NOT NULL,
  event_id TEXT NOT NULL UNIQUE,
  actor TEXT NOT NULL,
  at TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL,
  received_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  received_by TEXT NOT NULL DEFAULT session_user,
  PRIMARY KEY (device_id, seq)
);

-- Orders everything the server decides (runs, decisions, approvals, break
-- statuses); pulls resume from the last order they saw.
CREATE SEQUENCE recon.server_order;

-- What the server did with an event that changes shared state.
CREATE TABLE recon.event_outcomes (
  device_id TEXT NOT NULL,
  seq BIGINT NOT NULL,
  outcome TEXT NOT NULL CHECK (outcome IN ('APPLIED', 'SUPERSEDED', 'REFUSED')),
  code TEXT,
  message TEXT,
  PRIMARY KEY (device_id, seq),
  FOREIGN KEY (device_id, seq) REFERENCES recon.audit_events(device_id, seq)
);

-- Runs: the summary only, never the extracts.
CREATE TABLE recon.runs (
  run_id TEXT PRIMARY KEY,
  device_id TEXT NOT NULL,
  definition_name TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('RUNNING', 'COMPLETED', 'FAILED')),
  started_by TEXT NOT NULL,
  started_at TEXT NOT NULL,
  finished_at TEXT,
  total_breaks BIGINT,
  unknown_rate NUMERIC,
  gate_passed BOOLEAN,
  summary JSONB,
  server_order BIGINT NOT NULL
);

-- The evidence a checker needs for breaks under review. Values are text as in
-- the extracts; decimals are NUMERIC (node-postgres returns them as strings).
CREATE TABLE recon.review_breaks (
  run_id TEXT NOT NULL REFERENCES recon.runs(run_id),
  break_id BIGINT NOT NULL,
  key TEXT NOT NULL,
  field TEXT NOT NULL,
  diff_type TEXT NOT NULL,
  value_a TEXT,
  value_b TEXT,
  delta NUMERIC,
  base_status TEXT NOT NULL CHECK (base_status IN ('AUTO', 'REVIEW')),
  reason TEXT,
  confidence NUMERIC CHECK (confidence BETWEEN 0 AND 1),
  pushed_by TEXT NOT NULL DEFAULT session_user,
  pushed_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (run_id, break_id)
);

-- Every decision event becomes a row, whatever the outcome: a decision that
-- lost a race is SUPERSEDED (superseded_by names the winner), never dropped.
CREATE TABLE recon.decisions (
  decision_id TEXT PRIMARY KEY,
  device_id TEXT NOT NULL,
  seq BIGINT NOT NULL,
  run_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  reason TEXT,
  comment TEXT,
  actor TEXT NOT NULL,
  decided_at TEXT NOT NULL,
  is_proposal BOOLEAN NOT NULL,
  bulk_filter JSONB,
  break_count INTEGER NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('APPLIED', 'SUPERSEDED', 'REFUSED')),
  superseded_by TEXT,
  refusal_code TEXT,
  server_order BIGINT NOT NULL,
  FOREIGN KEY (device_id, seq) REFERENCES recon.audit_events(device_id, seq)
);

CREATE TABLE recon.decision_breaks (
  decision_id TEXT NOT NULL REFERENCES recon.decisions(decision_id),
  break_id BIGINT NOT NULL,
  from_status TEXT NOT NULL,
  to_status TEXT NOT NULL,
  reason TEXT,
  PRIMARY KEY (decision_id, break_id)
);

CREATE TABLE recon.approvals (
  approval_id TEXT PRIMARY KEY,
  decision_id TEXT NOT NULL,
  device_id TEXT NOT NULL,
  seq BIGINT NOT NULL,
  verdict TEXT NOT NULL,
  approver TEXT NOT NULL,
  comment TEXT,
  decided_at TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('APPLIED', 'SUPERSEDED', 'REFUSED')),
  refusal_code TEXT,
  server_order BIGINT NOT NULL,
  FOREIGN KEY (device_id, seq) REFERENCES recon.audit_events(device_id, seq)
);

-- At most one approval takes effect per proposal.
CREATE UNIQUE INDEX approvals_one_applied ON recon.approvals(decision_id) WHERE state = 'APPLIED';

-- The shared current status of each decided break, in server order.
CREATE TABLE recon.break_status (
  run_id TEXT NOT NULL,
  break_id BIGINT NOT NULL,
  status TEXT NOT NULL,
  reason TEXT,
  decision_id TEXT NOT NULL REFERENCES recon.decisions(decision_id),
  approval_id TEXT REFERENCES recon.approvals(approval_id),
  changed_order BIGINT NOT NULL,
  PRIMARY KEY (run_id, break_id)
);

CREATE INDEX decisions_by_order ON recon.decisions(server_order);
CREATE INDEX approvals_by_order ON recon.approvals(server_order);
CREATE INDEX runs_by_order ON recon.runs(server_order);
CREATE INDEX break_status_by_order ON recon.break_status(changed_order);
