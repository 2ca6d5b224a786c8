-- The reason-code catalogue. Codes are never deleted: a retired code stays
-- valid in history (decisions, labels) but cannot be chosen for new decisions.
-- category: ACTION = the break needs business action; NOISE = explained noise.
-- The default codes come from engine/attribution/catalogue.ts, seeded at open
-- (seed-reason-codes.ts), so a code added there reaches existing workspaces.
CREATE TABLE reason_codes (
  code TEXT PRIMARY KEY NOT NULL CHECK (code GLOB '[A-Z]*' AND code NOT GLOB '*[^A-Z0-9_]*'),
  description TEXT NOT NULL,
  category TEXT NOT NULL CHECK (category IN ('ACTION', 'NOISE')),
  created_at TEXT NOT NULL,
  retired_at TEXT
) STRICT;
