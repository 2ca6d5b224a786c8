-- Recon definitions travel like the rest of the workflow: every version a
-- device saves (definition.saved, its exact JSON in after.json) is projected
-- here in server order, and other devices pull it as a new version of their
-- own (each workspace numbers its versions; device_id and seq say where one
-- came from). Versions are facts: append-only, as decisions are. Who may save
-- is the workstation's rule (analysts and admins), as for runs.

CREATE TABLE recon.definitions (
  device_id TEXT NOT NULL,
  seq BIGINT NOT NULL,
  name TEXT NOT NULL,
  version INTEGER NOT NULL CHECK (version >= 1),
  json TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  saved_by TEXT NOT NULL,
  saved_at TEXT NOT NULL,
  comment TEXT,
  server_order BIGINT NOT NULL,
  PRIMARY KEY (device_id, seq),
  FOREIGN KEY (device_id, seq) REFERENCES recon.audit_events(device_id, seq)
);
CREATE INDEX definitions_by_order ON recon.definitions(server_order);
CREATE TRIGGER definitions_append_only BEFORE UPDATE OR DELETE ON recon.definitions FOR EACH ROW EXECUTE FUNCTION recon.append_only();
GRANT SELECT ON recon.definitions TO recon_sync;

CREATE FUNCTION recon.project_definition(ev recon.audit_events, ord BIGINT) RETURNS TEXT[]
LANGUAGE plpgsql AS $$
DECLARE
  a JSONB := (ev.event::jsonb)->'after';
  nm TEXT := substring(ev.target FROM 12);
BEGIN
  IF ev.target NOT LIKE 'definition:%' OR nm = '' OR jsonb_typeof(a->'json') IS DISTINCT FROM 'string' OR jsonb_typeof(a->'version') IS DISTINCT FROM 'number'
     OR jsonb_typeof(a->'sha256') IS DISTINCT FROM 'string' THEN
    RETURN ARRAY['REFUSED', 'MALFORMED', 'definition event without a well-formed definition'];
  END IF;
  IF recon.login_mismatch(ev.actor) THEN
    RETURN ARRAY['REFUSED', 'LOGIN_MISMATCH', format('%s must push over their own database login, not %s', ev.actor, session_user)];
  END IF;
  INSERT INTO recon.definitions (device_id, seq, name, version, json, sha256, saved_by, saved_at, comment, server_order)
  VALUES (ev.device_id, ev.seq, nm, (a->>'version')::int, a->>'json', a->>'sha256', ev.actor, ev.at, ev.event::jsonb->>'comment', ord);
  RETURN ARRAY['APPLIED', NULL, NULL];
END $$;

-- 003's dispatch, with definitions.
CREATE OR REPLACE FUNCTION recon.project_event() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = recon, pg_temp AS $$
DECLARE
  ord BIGINT;
  res TEXT[];
BEGIN
  -- One lock for the rest of the transaction: server orders become visible in
  -- the order they were handed out, so a pull that saw order N saw all before it.
  PERFORM pg_advisory_xact_lock(7261001);
  ord := nextval('recon.server_order');
  BEGIN
    res := CASE
      WHEN NEW.action LIKE 'run.%' THEN project_run(NEW, ord)
      WHEN NEW.action LIKE 'decision.%' THEN project_decision(NEW, ord)
      WHEN NEW.action = 'definition.saved' THEN project_definition(NEW, ord)
      ELSE project_approval(NEW, ord)
    END;
  EXCEPTION WHEN others THEN
    res := ARRAY['REFUSED', 'MALFORMED', SQLERRM];
  END;
  INSERT INTO event_outcomes (device_id, seq, outcome, code, message) VALUES (NEW.device_id, NEW.seq, res[1], res[2], res[3]);
  RETURN NULL;
END $$;
REVOKE EXECUTE ON FUNCTION recon.project_definition(recon.audit_events, BIGINT) FROM PUBLIC;

DROP TRIGGER audit_events_project ON recon.audit_events;
CREATE TRIGGER audit_events_project AFTER INSERT ON recon.audit_events FOR EACH ROW
WHEN (NEW.action IN ('run.started', 'run.completed', 'run.failed', 'decision.proposed', 'decision.applied', 'proposal.approved', 'proposal.rejected', 'proposal.withdrawn',
                     'definition.saved'))
EXECUTE FUNCTION recon.project_event();
