import { ConnectionsPanel } from './connections/ConnectionsPanel.tsx';
import { ModelPanel } from './ModelPanel.tsx';
import { ReasonsPanel } from './ReasonsPanel.tsx';
import { ReviewSettingsPanel } from './ReviewSettingsPanel.tsx';
import { TeamPanel } from './TeamPanel.tsx';
import { UsersPanel } from './UsersPanel.tsx';
import '../audit/audit.css';
import './settings.css';

/** Settings: users and roles, the reason-code catalogue, the model, review rules and the team connection. */
export function SettingsScreen() {
  return (
    <section className="screen settings" aria-labelledby="settings-title">
      <header className="screen-header">
        <div>
          <h2 id="settings-title">Settings</h2>
          <p className="muted small">Everyone sees these; only an admin changes them. Every change lands in the audit trail.</p>
        </div>
      </header>
      <div className="settings-grid">
        <div className="settings-col">
          <UsersPanel />
          <ReviewSettingsPanel />
          <TeamPanel />
          <ConnectionsPanel />
        </div>
        <div className="settings-col">
          <ModelPanel />
          <ReasonsPanel />
        </div>
      </div>
    </section>
  );
}
