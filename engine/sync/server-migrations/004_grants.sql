-- What the restricted sync role may do: read the shared state, append audit
-- events and break evidence. Never UPDATE, DELETE or TRUNCATE (the triggers in
-- 002/003 refuse those even for the owner's own mistakes). The role itself is
-- created by an administrator beforehand (engine/sync/README.md).
GRANT USAGE ON SCHEMA recon TO recon_sync;
GRANT SELECT ON ALL TABLES IN SCHEMA recon TO recon_sync;
GRANT INSERT ON recon.audit_events, recon.review_breaks TO recon_sync;
REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA recon FROM recon_sync;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA recon FROM recon_sync;
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA recon FROM PUBLIC;
