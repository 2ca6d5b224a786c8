-- This workspace's identity as a sync device, and workspace settings.
-- The device id is created once, at first open; audit sequence numbers are per device.
CREATE TABLE device (
  singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
  device_id TEXT NOT NULL,
  created_at TEXT NOT NULL
) STRICT;

-- Settings are JSON values under stable keys (e.g. review.bulkProposalThreshold).
CREATE TABLE settings (
  key TEXT PRIMARY KEY NOT NULL,
  value TEXT NOT NULL CHECK (json_valid(value)),
  updated_at TEXT NOT NULL
) STRICT;
