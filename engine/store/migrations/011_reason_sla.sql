-- An SLA per reason code: the days a break with that reason may stay open (by
-- the run's as-of date, counted from the run it was first seen in) before it
-- is overdue. NULL: no SLA. Set by an admin, audited as reason.sla_changed.
ALTER TABLE reason_codes ADD COLUMN sla_days INTEGER CHECK (sla_days IS NULL OR sla_days BETWEEN 0 AND 3650);
