import { Placeholder } from '../components/Placeholder.tsx';

// Labelled places for screens other features build (workflow store, sync).

export function ApprovalsPlaceholder() {
  return (
    <Placeholder
      title="Approvals"
      summary="Proposals waiting for this user's approval (the 4-eye check): never their own."
      items={['Queue of overrides and rejections proposed by makers', 'The evidence: both records, the model reason and the comment', 'Approve or reject with a comment', 'Team sync status (filled by the sync feature)']}
    />
  );
}

export function AuditPlaceholder() {
  return (
    <Placeholder
      title="Audit trail"
      summary="Every run, decision and approval, in a tamper-evident chain."
      items={['Filterable list of audit events', 'Chain verification status', 'Export']}
    />
  );
}

export function SettingsPlaceholder() {
  return (
    <Placeholder
      title="Settings"
      summary="Users and roles, the reason-code catalogue, the model, and the team connection."
      items={['Users and roles (admin)', 'Reason codes', 'Model: version, metrics, retrain and promote', 'Team connection (filled by the sync feature)']}
    />
  );
}
