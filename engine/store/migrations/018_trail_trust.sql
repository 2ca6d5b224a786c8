-- Who pushed a remote run's evidence (issue 17, item 8): the team server now sets it
-- from the session login and refuses evidence from any login but the run device's,
-- and the approver is shown it beside what they review. NULL for evidence pulled before.
ALTER TABLE sync_remote_breaks ADD COLUMN pushed_by TEXT;

-- The team's evidence-signing public keys, as published on the team server
-- (server table recon.evidence_keys, sync/team-keys.ts): `recon evidence
-- verify --workspace` trusts them, naming who published each.
CREATE TABLE sync_team_keys (
  fingerprint TEXT PRIMARY KEY NOT NULL,
  public_pem TEXT NOT NULL,
  device_id TEXT NOT NULL,
  published_by TEXT NOT NULL,
  published_at TEXT NOT NULL
) STRICT;

-- The $RECON_USER notes (store/audit-log.ts noteIdentityOverride), found per
-- approver without a scan of the trail.
CREATE INDEX audit_events_by_override ON audit_events(target, device_id, seq) WHERE action = 'identity.override';
