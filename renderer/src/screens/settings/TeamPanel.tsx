/**
 * The team connection: a labelled place the sync feature (issue 6) fills with
 * the server address, credentials (kept in the OS keychain), sync status and
 * the outbox backlog.
 */
export function TeamPanel() {
  return (
    <section className="panel settings-panel team-panel" aria-labelledby="team-title">
      <h4 id="team-title">
        Team connection <span className="pill">coming in a later release</span>
      </h4>
      <p className="small">
        Team sync arrives in a later release: the audit trail and decisions will sync to your team’s PostgreSQL, idempotently and resumably, and roles can come from the server.
      </p>
      <p className="small muted">
        Until then this workstation works fully offline. Every action is written to this workspace’s tamper-evident audit trail and its sync outbox, ready to send once the
        connection exists.
      </p>
    </section>
  );
}
