-- Recon definitions are versioned: every save is a new (name, version) row.
CREATE TABLE definitions (
  name TEXT NOT NULL,
  version INTEGER NOT NULL CHECK (version >= 1),
  body TEXT NOT NULL CHECK (json_valid(body)),
  sha256 TEXT NOT NULL,
  saved_by TEXT NOT NULL REFERENCES users(user_id),
  saved_at TEXT NOT NULL,
  comment TEXT,
  PRIMARY KEY (name, version)
) STRICT;

-- The runs registry. The definition is snapshotted, so a run stays explainable
-- after the definition changes; definition_version is NULL for a file-based definition.
CREATE TABLE runs (
  run_id TEXT PRIMARY KEY NOT NULL,
  definition_name TEXT NOT NULL,
  definition_version INTEGER,
  duckdb_path TEXT NOT NULL,
  definition_snapshot TEXT NOT NULL CHECK (json_valid(definition_snapshot)),
  inputs TEXT NOT NULL CHECK (json_valid(inputs)),
  summary TEXT CHECK (summary IS NULL OR json_valid(summary)),
  status TEXT NOT NULL CHECK (status IN ('RUNNING', 'COMPLETED', 'FAILED')),
  started_by TEXT NOT NULL,
  started_at TEXT NOT NULL,
  finished_at TEXT,
  error TEXT CHECK (error IS NULL OR json_valid(error)),
  FOREIGN KEY (definition_name, definition_version) REFERENCES definitions(name, version)
) STRICT;

CREATE INDEX runs_by_start ON runs(started_at);
