-- Break memory: the previous run of a series hands its decisions on. A break
-- of the new run that is CARRIED (same key, field and values) keeps the
-- decision in force on its predecessor: a break_status row of the new run
-- pointing at the same decision (and approval), so who decided, when and why
-- stay the decision's own. A CHANGED break's decision is dropped: the row
-- records that it was not carried (kept = 0), for the break's history. Written
-- once, when the run completes (audit: breaks.carried); nothing updates it.
CREATE TABLE break_carries (
  run_id TEXT NOT NULL REFERENCES runs(run_id),
  break_id INTEGER NOT NULL,
  from_run_id TEXT NOT NULL,
  from_break_id INTEGER NOT NULL,
  decision_id TEXT NOT NULL,
  -- The break of the decision's own run: a proposal carried twice still settles
  -- by its own row of decision_breaks for that break.
  origin_break_id INTEGER NOT NULL,
  kept INTEGER NOT NULL CHECK (kept IN (0, 1)),
  status TEXT NOT NULL CHECK (status IN ('PROPOSED', 'ACCEPTED', 'OVERRIDDEN', 'REJECTED')),
  reason TEXT,
  carried_at TEXT NOT NULL,
  PRIMARY KEY (run_id, break_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX break_carries_by_decision ON break_carries(decision_id);
