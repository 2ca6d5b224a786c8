-- The reason-code catalogue. Codes are never deleted: a retired code stays
-- valid in history (decisions, labels) but cannot be chosen for new decisions.
-- category: ACTION = the break needs business action; NOISE = explained noise.
CREATE TABLE reason_codes (
  code TEXT PRIMARY KEY NOT NULL CHECK (code GLOB '[A-Z]*' AND code NOT GLOB '*[^A-Z0-9_]*'),
  description TEXT NOT NULL,
  category TEXT NOT NULL CHECK (category IN ('ACTION', 'NOISE')),
  created_at TEXT NOT NULL,
  retired_at TEXT
) STRICT;

-- The default catalogue (MISSION.md, issue 3). Later edits go through the
-- audited catalogue API, never through a new seed.
INSERT INTO reason_codes (code, description, category, created_at) VALUES
  ('ROUNDING_DIFF', 'Amounts differ by rounding: a difference below the smallest unit that matters.', 'NOISE', '1970-01-01T00:00:00.000Z'),
  ('TIMING_DIFF', 'A date shifted by a few days (trade vs settlement date, a holiday).', 'NOISE', '1970-01-01T00:00:00.000Z'),
  ('FX_DIFF', 'An amount expressed in another currency: the ratio is an FX rate.', 'NOISE', '1970-01-01T00:00:00.000Z'),
  ('SCALE_DIFF', 'Units against thousands (or another power of ten).', 'NOISE', '1970-01-01T00:00:00.000Z'),
  ('SIGN_FLIP', 'Buy/sell or the sign of an amount is reversed.', 'ACTION', '1970-01-01T00:00:00.000Z'),
  ('STATIC_DATA', 'A reference field spelled differently (CORP vs CORPORATION).', 'NOISE', '1970-01-01T00:00:00.000Z'),
  ('MISSING_IN_A', 'The record is in source B but not in source A.', 'ACTION', '1970-01-01T00:00:00.000Z'),
  ('MISSING_IN_B', 'The record is in source A but not in source B.', 'ACTION', '1970-01-01T00:00:00.000Z'),
  ('DUPLICATE_KEY', 'The key occurs more than once on one side.', 'ACTION', '1970-01-01T00:00:00.000Z'),
  ('UNKNOWN', 'No explanation yet: the break needs review.', 'ACTION', '1970-01-01T00:00:00.000Z');
