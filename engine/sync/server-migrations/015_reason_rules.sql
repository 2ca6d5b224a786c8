-- Reason rules (engine/rules, store migration 020): a rule is a standing
-- decision, so the server enforces its governance itself, as it does for
-- break decisions (003, 005, 009): a workstation's own checks are only as
-- strong as its OS login, and a modified client (or one that writes the event
-- with the low-level append) could approve its own rule.
--
-- rule.proposed is a proposal; rule.approved / rule.retired (an approved
-- retirement) / rule.rejected / rule.withdrawn its verdict. Both are projected
-- here in server order, append-only, and each approval makes the rule's next
-- version in recon.reason_rules. An event whose effect is refused stays in the
-- chain (it happened on the device): its event_outcomes row is REFUSED with a
-- code, and the pushing client parks it like a refused break decision
-- (push.ts). The codes (no SQLSTATE: the event itself is valid and chained,
-- only its effect is refused, so nothing may block the device's chain):
--   LOGIN_MISMATCH            the actor is not bound to this session's login (009)
--   FORBIDDEN_ROLE            a proposal without analyst/admin, an approval or
--                             rejection without approver, a withdrawal not by the maker
--   FORBIDDEN_SELF_APPROVAL   an approval or rejection by the proposal's maker,
--                             by name or over the proposal's login
--   PROPOSAL_NOT_PENDING      a verdict on a proposal already settled, or refused
--   RULE_VERSION_STALE        a CHANGE/RETIRE whose base version is not the rule's
--                             current version (proposed, or approved, after the rule moved);
--                             a CREATE of a rule that exists
--   UNKNOWN_PROPOSAL, MALFORMED

CREATE TABLE recon.rule_proposals (
  proposal_id TEXT PRIMARY KEY,
  device_id TEXT NOT NULL,
  seq BIGINT NOT NULL,
  rule_id TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('CREATE', 'CHANGE', 'RETIRE')),
  base_version INTEGER,
  body TEXT,
  maker TEXT NOT NULL,
  proposed_at TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('APPLIED', 'REFUSED')),
  refusal_code TEXT,
  detail TEXT,
  server_order BIGINT NOT NULL,
  FOREIGN KEY (device_id, seq) REFERENCES recon.audit_events(device_id, seq)
);
CREATE INDEX rule_proposals_by_rule ON recon.rule_proposals(rule_id);

CREATE TABLE recon.rule_verdicts (
  device_id TEXT NOT NULL,
  seq BIGINT NOT NULL,
  verdict_id TEXT NOT NULL,
  proposal_id TEXT NOT NULL,
  verdict TEXT NOT NULL CHECK (verdict IN ('APPROVED', 'REJECTED', 'WITHDRAWN')),
  actor TEXT NOT NULL,
  decided_at TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('APPLIED', 'REFUSED')),
  refusal_code TEXT,
  detail TEXT,
  server_order BIGINT NOT NULL,
  PRIMARY KEY (device_id, seq),
  FOREIGN KEY (device_id, seq) REFERENCES recon.audit_events(device_id, seq)
);
-- At most one verdict settles a proposal.
CREATE UNIQUE INDEX rule_verdicts_one_applied ON recon.rule_verdicts(proposal_id) WHERE state = 'APPLIED';

-- The versions approvals made: the rule as the server holds it (its current version is the highest).
CREATE TABLE recon.reason_rules (
  rule_id TEXT NOT NULL,
  version INTEGER NOT NULL CHECK (version >= 1),
  proposal_id TEXT NOT NULL,
  device_id TEXT NOT NULL,
  seq BIGINT NOT NULL,
  retired BOOLEAN NOT NULL,
  approved_by TEXT NOT NULL,
  server_order BIGINT NOT NULL,
  PRIMARY KEY (rule_id, version),
  FOREIGN KEY (device_id, seq) REFERENCES recon.audit_events(device_id, seq)
);

CREATE TRIGGER rule_proposals_append_only BEFORE UPDATE OR DELETE ON recon.rule_proposals FOR EACH ROW EXECUTE FUNCTION recon.append_only();
CREATE TRIGGER rule_verdicts_append_only BEFORE UPDATE OR DELETE ON recon.rule_verdicts FOR EACH ROW EXECUTE FUNCTION recon.append_only();
CREATE TRIGGER reason_rules_append_only BEFORE UPDATE OR DELETE ON recon.reason_rules FOR EACH ROW EXECUTE FUNCTION recon.append_only();
GRANT SELECT ON recon.rule_proposals, recon.rule_verdicts, recon.reason_rules TO recon_sync;

-- The rule's current version on the server (0: none), and whether it is retired.
CREATE FUNCTION recon.rule_current(p_rule TEXT, OUT version INTEGER, OUT retired BOOLEAN)
LANGUAGE sql STABLE AS $$
  SELECT coalesce(max(r.version), 0),
         coalesce((SELECT x.retired FROM recon.reason_rules x WHERE x.rule_id = p_rule ORDER BY x.version DESC LIMIT 1), false)
    FROM recon.reason_rules r WHERE r.rule_id = p_rule
$$;

-- rule.proposed: target rule:<id>; after.proposal = {proposal_id, rule_id, kind, base_version, body}.
CREATE FUNCTION recon.project_rule_proposal(ev recon.audit_events, ord BIGINT) RETURNS TEXT[]
LANGUAGE plpgsql AS $$
DECLARE
  p JSONB := (ev.event::jsonb)->'after'->'proposal';
  pid TEXT := p->>'proposal_id';
  rid TEXT := p->>'rule_id';
  k TEXT := p->>'kind';
  base INTEGER;
  cur RECORD;
  v_state TEXT := 'APPLIED';
  v_code TEXT;
  v_msg TEXT;
BEGIN
  IF pid IS NULL OR rid IS NULL OR ev.target <> 'rule:' || rid OR k IS NULL OR k NOT IN ('CREATE', 'CHANGE', 'RETIRE')
     OR (k = 'CREATE') <> (jsonb_typeof(p->'base_version') IS DISTINCT FROM 'number') THEN
    RETURN ARRAY['REFUSED', 'MALFORMED', 'rule.proposed event without a well-formed proposal'];
  END IF;
  IF EXISTS (SELECT 1 FROM recon.rule_proposals WHERE proposal_id = pid) THEN
    RETURN ARRAY['REFUSED', 'DUPLICATE_ID', format('rule proposal %s already exists', pid)];
  END IF;
  base := (p->>'base_version')::integer;
  SELECT * INTO cur FROM recon.rule_current(rid);
  IF recon.login_mismatch(ev.actor) THEN
    v_state := 'REFUSED'; v_code := 'LOGIN_MISMATCH'; v_msg := format('%s must push over their own database login, not %s', ev.actor, session_user);
  ELSIF NOT (recon.has_role(ev.actor, 'analyst') OR recon.has_role(ev.actor, 'admin')) THEN
    v_state := 'REFUSED'; v_code := 'FORBIDDEN_ROLE'; v_msg := format('%s holds neither analyst nor admin on the team server', ev.actor);
  ELSIF k = 'CREATE' AND cur.version > 0 THEN
    v_state := 'REFUSED'; v_code := 'RULE_VERSION_STALE'; v_msg := format('reason rule %s exists already on the team server', rid);
  ELSIF k <> 'CREATE' AND (cur.version <> base OR cur.retired) THEN
    v_state := 'REFUSED'; v_code := 'RULE_VERSION_STALE';
    v_msg := format('the proposal is on version %s of rule %s, which is version %s%s on the team server', base, rid, cur.version, CASE WHEN cur.retired THEN ' (retired)' ELSE '' END);
  END IF;
  INSERT INTO recon.rule_proposals (proposal_id, device_id, seq, rule_id, kind, base_version, body, maker, proposed_at, state, refusal_code, detail, server_order)
  VALUES (pid, ev.device_id, ev.seq, rid, k, base, p->>'body', ev.actor, ev.at, v_state, v_code, v_msg, ord);
  RETURN ARRAY[v_state, v_code, v_msg];
END $$;

-- rule.approved / rule.retired / rule.rejected / rule.withdrawn: target rule:<id>;
-- after = {verdict_id, proposal_id, verdict, version?: {rule_id, version, retired, …}}.
CREATE FUNCTION recon.project_rule_verdict(ev recon.audit_events, ord BIGINT) RETURNS TEXT[]
LANGUAGE plpgsql AS $$
DECLARE
  aft JSONB := (ev.event::jsonb)->'after';
  vid TEXT := aft->>'verdict_id';
  pid TEXT := aft->>'proposal_id';
  verdict TEXT := aft->>'verdict';
  expected TEXT := CASE ev.action WHEN 'rule.rejected' THEN 'REJECTED' WHEN 'rule.withdrawn' THEN 'WITHDRAWN' ELSE 'APPROVED' END;
  withdrawal BOOLEAN := ev.action = 'rule.withdrawn';
  approval BOOLEAN := ev.action IN ('rule.approved', 'rule.retired');
  prop RECORD;
  cur RECORD;
  maker_login TEXT;
  v_state TEXT := 'APPLIED';
  v_code TEXT;
  v_msg TEXT;
BEGIN
  IF vid IS NULL OR pid IS NULL OR verdict IS DISTINCT FROM expected THEN
    RETURN ARRAY['REFUSED', 'MALFORMED', 'rule verdict event without a well-formed verdict'];
  END IF;
  SELECT * INTO prop FROM recon.rule_proposals WHERE proposal_id = pid;
  IF NOT FOUND OR ev.target <> 'rule:' || prop.rule_id THEN
    RETURN ARRAY['REFUSED', 'UNKNOWN_PROPOSAL', format('no rule proposal %s on the team server for %s', pid, ev.target)];
  END IF;
  SELECT received_by INTO maker_login FROM recon.audit_events WHERE device_id = prop.device_id AND seq = prop.seq;
  SELECT * INTO cur FROM recon.rule_current(prop.rule_id);
  IF withdrawal AND prop.maker <> ev.actor THEN
    v_state := 'REFUSED'; v_code := 'FORBIDDEN_ROLE'; v_msg := format('only %s, who made rule proposal %s, can withdraw it', prop.maker, pid);
  ELSIF NOT withdrawal AND prop.maker = ev.actor THEN
    v_state := 'REFUSED'; v_code := 'FORBIDDEN_SELF_APPROVAL'; v_msg := format('%s made rule proposal %s and cannot approve or reject it', ev.actor, pid);
  ELSIF recon.login_mismatch(ev.actor) THEN
    v_state := 'REFUSED'; v_code := 'LOGIN_MISMATCH'; v_msg := format('%s must push over their own database login, not %s', ev.actor, session_user);
  ELSIF NOT withdrawal AND maker_login = session_user THEN
    -- 4-eye by login (009): two names over one login are one person to the server.
    v_state := 'REFUSED'; v_code := 'FORBIDDEN_SELF_APPROVAL'; v_msg := format('rule proposal %s was pushed over login %s, which cannot approve or reject it', pid, session_user);
  ELSIF NOT withdrawal AND NOT recon.has_role(ev.actor, 'approver') THEN
    v_state := 'REFUSED'; v_code := 'FORBIDDEN_ROLE'; v_msg := format('%s does not hold the approver role on the team server', ev.actor);
  ELSIF prop.state <> 'APPLIED' OR EXISTS (SELECT 1 FROM recon.rule_verdicts WHERE proposal_id = pid AND state = 'APPLIED') THEN
    v_state := 'REFUSED'; v_code := 'PROPOSAL_NOT_PENDING'; v_msg := format('rule proposal %s is not pending on the team server (settled or refused)', pid);
  ELSIF approval AND ((prop.kind = 'CREATE' AND cur.version > 0) OR (prop.kind <> 'CREATE' AND (cur.version <> prop.base_version OR cur.retired))) THEN
    v_state := 'REFUSED'; v_code := 'RULE_VERSION_STALE';
    v_msg := format('rule proposal %s is on version %s of rule %s, which is version %s on the team server', pid, coalesce(prop.base_version::text, 'none'), prop.rule_id, cur.version);
  ELSIF approval AND ((ev.action = 'rule.retired') <> (prop.kind = 'RETIRE') OR (aft->'version'->>'version')::integer IS DISTINCT FROM cur.version + 1
                      OR aft->'version'->>'rule_id' IS DISTINCT FROM prop.rule_id) THEN
    RETURN ARRAY['REFUSED', 'MALFORMED', format('the approval of rule proposal %s does not make version %s of rule %s', pid, cur.version + 1, prop.rule_id)];
  END IF;
  INSERT INTO recon.rule_verdicts (device_id, seq, verdict_id, proposal_id, verdict, actor, decided_at, state, refusal_code, detail, server_order)
  VALUES (ev.device_id, ev.seq, vid, pid, verdict, ev.actor, ev.at, v_state, v_code, v_msg, ord);
  IF v_state = 'APPLIED' AND approval THEN
    INSERT INTO recon.reason_rules (rule_id, version, proposal_id, device_id, seq, retired, approved_by, server_order)
    VALUES (prop.rule_id, cur.version + 1, pid, ev.device_id, ev.seq, prop.kind = 'RETIRE', ev.actor, ord);
  END IF;
  RETURN ARRAY[v_state, v_code, v_msg];
END $$;

REVOKE EXECUTE ON FUNCTION recon.rule_current(TEXT), recon.project_rule_proposal(recon.audit_events, BIGINT),
  recon.project_rule_verdict(recon.audit_events, BIGINT) FROM PUBLIC;

-- 009's dispatch, with rule proposals and their verdicts.
CREATE OR REPLACE FUNCTION recon.project_event() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = recon, pg_temp AS $$
DECLARE
  ord BIGINT;
  res TEXT[];
BEGIN
  -- One lock for the rest of the transaction: server orders become visible in
  -- the order they were handed out, so a pull that saw order N saw all before it.
  PERFORM 1 FROM push_locks WHERE name = 'server_order' FOR UPDATE;
  ord := nextval('recon.server_order');
  BEGIN
    res := CASE
      WHEN NEW.action LIKE 'run.%' THEN project_run(NEW, ord)
      WHEN NEW.action LIKE 'decision.%' THEN project_decision(NEW, ord)
      WHEN NEW.action = 'definition.saved' THEN project_definition(NEW, ord)
      WHEN NEW.action = 'breaks.carried' THEN project_carry(NEW, ord)
      WHEN NEW.action IN ('match.manual', 'match.unmatched') THEN project_match_action(NEW, ord)
      WHEN NEW.action IN ('match.approved', 'match.rejected', 'match.withdrawn') THEN project_match_verdict(NEW, ord)
      WHEN NEW.action = 'rule.proposed' THEN project_rule_proposal(NEW, ord)
      WHEN NEW.action IN ('rule.approved', 'rule.retired', 'rule.rejected', 'rule.withdrawn') THEN project_rule_verdict(NEW, ord)
      ELSE project_approval(NEW, ord)
    END;
  EXCEPTION WHEN others THEN
    res := ARRAY['REFUSED', 'MALFORMED', SQLERRM];
  END;
  INSERT INTO event_outcomes (device_id, seq, outcome, code, message) VALUES (NEW.device_id, NEW.seq, res[1], res[2], res[3]);
  RETURN NULL;
END $$;

DROP TRIGGER audit_events_project ON recon.audit_events;
CREATE TRIGGER audit_events_project AFTER INSERT ON recon.audit_events FOR EACH ROW
WHEN (NEW.action IN ('run.started', 'run.completed', 'run.failed', 'decision.proposed', 'decision.applied', 'proposal.approved', 'proposal.rejected', 'proposal.withdrawn',
                     'definition.saved', 'breaks.carried',
                     'match.manual', 'match.unmatched', 'match.approved', 'match.rejected', 'match.withdrawn',
                     'rule.proposed', 'rule.approved', 'rule.retired', 'rule.rejected', 'rule.withdrawn'))
EXECUTE FUNCTION recon.project_event();

-- Rule events a server took before this migration (not projected then): replayed once, in the
-- order the server received them, as the workstations applied them (their own 4-eye checks); the
-- first verdict of a proposal stands, and an approval makes the rule's next version. Without this
-- a later verdict on an older proposal would be UNKNOWN_PROPOSAL and a change RULE_VERSION_STALE.
DO $$
DECLARE
  ev recon.audit_events;
  aft JSONB;
  p JSONB;
  prop RECORD;
  ord BIGINT;
  cur INTEGER;
  settled BOOLEAN;
BEGIN
  FOR ev IN SELECT * FROM recon.audit_events
             WHERE action IN ('rule.proposed', 'rule.approved', 'rule.retired', 'rule.rejected', 'rule.withdrawn')
             ORDER BY received_at, device_id, seq LOOP
    aft := (ev.event::jsonb)->'after';
    ord := nextval('recon.server_order');
    IF ev.action = 'rule.proposed' THEN
      p := aft->'proposal';
      IF p->>'proposal_id' IS NOT NULL AND p->>'kind' IN ('CREATE', 'CHANGE', 'RETIRE')
         AND NOT EXISTS (SELECT 1 FROM recon.rule_proposals WHERE proposal_id = p->>'proposal_id') THEN
        INSERT INTO recon.rule_proposals (proposal_id, device_id, seq, rule_id, kind, base_version, body, maker, proposed_at, state, refusal_code, detail, server_order)
        VALUES (p->>'proposal_id', ev.device_id, ev.seq, p->>'rule_id', p->>'kind', (p->>'base_version')::integer, p->>'body', ev.actor, ev.at, 'APPLIED', NULL, NULL, ord);
      END IF;
      CONTINUE;
    END IF;
    SELECT * INTO prop FROM recon.rule_proposals WHERE proposal_id = aft->>'proposal_id';
    IF NOT FOUND OR aft->>'verdict_id' IS NULL OR aft->>'verdict' NOT IN ('APPROVED', 'REJECTED', 'WITHDRAWN') THEN CONTINUE; END IF;
    settled := EXISTS (SELECT 1 FROM recon.rule_verdicts WHERE proposal_id = prop.proposal_id AND state = 'APPLIED');
    INSERT INTO recon.rule_verdicts (device_id, seq, verdict_id, proposal_id, verdict, actor, decided_at, state, refusal_code, detail, server_order)
    VALUES (ev.device_id, ev.seq, aft->>'verdict_id', prop.proposal_id, aft->>'verdict', ev.actor, ev.at,
            CASE WHEN settled THEN 'REFUSED' ELSE 'APPLIED' END, CASE WHEN settled THEN 'PROPOSAL_NOT_PENDING' END,
            CASE WHEN settled THEN 'replayed by server migration 015: settled first by another verdict' END, ord);
    IF NOT settled AND aft->>'verdict' = 'APPROVED' THEN
      SELECT coalesce(max(version), 0) INTO cur FROM recon.reason_rules WHERE rule_id = prop.rule_id;
      INSERT INTO recon.reason_rules (rule_id, version, proposal_id, device_id, seq, retired, approved_by, server_order)
      VALUES (prop.rule_id, cur + 1, prop.proposal_id, ev.device_id, ev.seq, prop.kind = 'RETIRE', ev.actor, ord);
    END IF;
  END LOOP;
END $$;
