-- Which process runs a RUNNING run: the machine's host name and the process id.
-- A host that starts finds runs whose process is gone (a crash, a kill, a
-- power cut) and marks them FAILED instead of leaving them RUNNING forever.
-- NULL for runs registered before this migration and for runs pulled from
-- other devices.
ALTER TABLE runs ADD COLUMN owner_host TEXT;
ALTER TABLE runs ADD COLUMN owner_pid INTEGER CHECK (owner_pid IS NULL OR owner_pid > 0);
