-- Definitions have one home: the new-run screen saves here too (a new version
-- per save, audited, synced to the team).
-- - A version pulled from another device keeps where it came from (its device
--   and the seq of its definition.saved event), so a pull never applies it
--   twice; NULL for this device's own versions.
-- - saved_by no longer references users: like a run's started_by, it records
--   who acted, also for versions imported from the old files at open (by
--   whoever opened the workspace, before anyone has acted on it) and pulled
--   from devices whose users this workspace does not know.
-- SQLite cannot drop a foreign key in place: the table is rebuilt with its
-- rows; runs keep pointing at them (foreign keys are checked at commit).
PRAGMA defer_foreign_keys = ON;

CREATE TEMP TABLE definitions_before_010 AS SELECT * FROM definitions;
DROP TABLE definitions;

CREATE TABLE definitions (
  name TEXT NOT NULL,
  version INTEGER NOT NULL CHECK (version >= 1),
  body TEXT NOT NULL CHECK (json_valid(body)),
  sha256 TEXT NOT NULL,
  saved_by TEXT NOT NULL,
  saved_at TEXT NOT NULL,
  comment TEXT,
  origin_device TEXT,
  origin_seq INTEGER CHECK (origin_seq IS NULL OR origin_seq >= 1),
  CHECK ((origin_device IS NULL) = (origin_seq IS NULL)),
  PRIMARY KEY (name, version)
) STRICT;

INSERT INTO definitions (name, version, body, sha256, saved_by, saved_at, comment)
SELECT name, version, body, sha256, saved_by, saved_at, comment FROM definitions_before_010;
DROP TABLE definitions_before_010;

CREATE UNIQUE INDEX definitions_by_origin ON definitions(origin_device, origin_seq) WHERE origin_device IS NOT NULL;

-- The JSON files of <workspace>/definitions/ (where the screen saved before),
-- each imported into the store once; the files stay. name and version are
-- NULL for a file that is not a valid definition (skipped, not retried).
CREATE TABLE definition_imports (
  file TEXT PRIMARY KEY NOT NULL,
  sha256 TEXT NOT NULL,
  name TEXT,
  version INTEGER,
  imported_at TEXT NOT NULL
) STRICT;
