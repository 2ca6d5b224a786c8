import { useState, type FormEvent } from 'react';
import type { ConnectionDto, ConnectionTestDto, ErrorData } from '../../../../../engine/contract/index.ts';
import { errorData } from '../../../bridge/client.ts';
import { useAction } from '../../../bridge/use-action.ts';
import { useCall, useClient, useEvent } from '../../../bridge/use-client.ts';
import { ErrorMessage } from '../../../components/ErrorMessage.tsx';
import { useSession } from '../../../session.tsx';
import { ConnectionForm } from './ConnectionForm.tsx';
import { describe, draftOf, inputOf, newDatabaseDraft, newHttpDraft, secretText, type ConnectionDraft } from './connection-draft.ts';
import './connections.css';

/**
 * The workspace's saved connections for query and HTTP sources: an admin adds,
 * edits and removes them and stores their passwords in this computer's OS
 * keychain; everyone sees them and may test them. A password is sent to the
 * host once and never shown again.
 */
export function ConnectionsPanel() {
  const client = useClient();
  const admin = useSession().has('admin');
  const list = useCall('connections.list', {});
  useEvent('workflow.changed', (e) => e.what === 'settings' && list.reload());
  const [editing, setEditing] = useState<{ draft: ConnectionDraft; existing: boolean } | null>(null);
  const save = useAction(async (d: ConnectionDraft) => {
    await client.call('connections.save', { connection: inputOf(d) });
    setEditing(null);
    list.reload();
  });
  const connections = list.data?.connections ?? [];
  return (
    <section className="panel settings-panel connections-panel" aria-labelledby="connections-title">
      <h4 id="connections-title">Connections</h4>
      <p className="small muted">Databases and HTTP APIs that a recon’s query or HTTP sources read from. Passwords stay in this computer’s OS keychain, never in the workspace.</p>
      {list.error && <ErrorMessage error={list.error} onRetry={list.reload} />}
      {list.data && connections.length === 0 && <p className="small muted">No connections yet{admin ? '' : ': an admin adds them here'}.</p>}
      <ul className="connection-list" aria-label="Saved connections">
        {connections.map((c) => (
          <ConnectionItem key={c.name} c={c} admin={admin} onEdit={() => setEditing({ draft: draftOf(c), existing: true })} onChanged={list.reload} />
        ))}
      </ul>
      {admin && editing && (
        <ConnectionForm key={editing.draft.name + editing.draft.kind} initial={editing.draft} editing={editing.existing} busy={save.busy} onSave={(d) => void save.run(d)} onCancel={() => setEditing(null)} />
      )}
      {save.error && <ErrorMessage error={save.error} onDismiss={save.clear} />}
      {admin && !editing && (
        <div className="row">
          <button type="button" onClick={() => setEditing({ draft: newDatabaseDraft(), existing: false })}>
            Add database connection
          </button>
          <button type="button" onClick={() => setEditing({ draft: newHttpDraft(), existing: false })}>
            Add HTTP connection
          </button>
        </div>
      )}
    </section>
  );
}

/** One connection: where it points, where its password comes from, Test, and an admin's Edit, Remove and password. */
function ConnectionItem({ c, admin, onEdit, onChanged }: { c: ConnectionDto; admin: boolean; onEdit: () => void; onChanged: () => void }) {
  const client = useClient();
  const [path, setPath] = useState('');
  const [tested, setTested] = useState<{ ok: ConnectionTestDto } | { error: ErrorData } | null>(null);
  const [testing, setTesting] = useState(false);
  const act = useAction(async (fn: () => Promise<unknown>) => {
    await fn();
    onChanged();
  });
  const test = async (): Promise<void> => {
    setTesting(true);
    setTested(null);
    try {
      setTested({ ok: await client.call('connections.test', { name: c.name, ...(c.driver === 'http' && path.trim() !== '' ? { path: path.trim() } : {}) }) });
    } catch (err) {
      setTested({ error: errorData(err) });
    } finally {
      setTesting(false);
    }
  };
  const kc = c.secret;
  return (
    <li className="connection-item" aria-label={`Connection ${c.name}`}>
      <div className="row connection-head">
        <span className="strong mono">{c.name}</span>
        <span className="mono small">{describe(c)}</span>
        {c.driver !== 'http' && <span className="muted small">TLS {c.tls}</span>}
        <span className={`pill ${kc.stored || kc.from.startsWith('$') || !kc.needed ? 'sync-online' : ''}`} aria-label={`Password of ${c.name}`}>
          {secretText(c)}
        </span>
      </div>
      <div className="row">
        {c.driver === 'http' && <input className="conn-path" aria-label={`Test path for ${c.name}`} placeholder="/path to GET (optional)" value={path} onChange={(e) => setPath(e.target.value)} />}
        <button type="button" aria-label={`Test connection ${c.name}`} disabled={testing} onClick={() => void test()}>
          {testing && <span className="spinner" />} Test
        </button>
        {admin && (
          <>
            <button type="button" className="link" aria-label={`Edit connection ${c.name}`} onClick={onEdit}>
              Edit
            </button>
            <button
              type="button"
              className="link danger"
              aria-label={`Remove connection ${c.name}`}
              disabled={act.busy}
              onClick={() => {
                if (window.confirm(`Remove the connection "${c.name}" and its stored password? Definitions that use it will not run until it is added again.`)) {
                  void act.run(() => client.call('connections.remove', { name: c.name }));
                }
              }}
            >
              Remove
            </button>
          </>
        )}
      </div>
      {tested && 'ok' in tested && <TestResult r={tested.ok} />}
      {tested && 'error' in tested && <ErrorMessage error={tested.error} onDismiss={() => setTested(null)} />}
      {admin && kc.needed && <PasswordForm c={c} busy={act.busy} run={act.run} />}
      {kc.keychainError && <p className="small muted">Keychain: {kc.keychainError}</p>}
      {act.error && <ErrorMessage error={act.error} onDismiss={act.clear} />}
    </li>
  );
}

function TestResult({ r }: { r: ConnectionTestDto }) {
  return (
    <dl className="facts connection-test" role="status" aria-label={`Test of ${r.name}`}>
      <dt>Result</dt>
      <dd className="strong">
        OK: {r.kind === 'http' ? `GET ${r.target} answered` : r.target} in {r.ms} ms{r.bytes !== null ? ` (${r.bytes.toLocaleString('en-US')} bytes)` : ''}
      </dd>
      {r.server !== null && (
        <>
          <dt>Server</dt>
          <dd>{r.server}</dd>
        </>
      )}
      <dt>TLS</dt>
      <dd>{r.tls}</dd>
      <dt>{r.kind === 'http' ? 'Secret from' : 'Password from'}</dt>
      <dd>{r.secretFrom}</dd>
    </dl>
  );
}

/** The password (or an HTTP connection's {secret}) goes to the host's OS keychain; the field is cleared once sent. */
function PasswordForm({ c, busy, run }: { c: ConnectionDto; busy: boolean; run: (fn: () => Promise<unknown>) => Promise<unknown> }) {
  const client = useClient();
  const [password, setPassword] = useState('');
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    const p = password;
    setPassword('');
    void run(() => client.call('connections.setPassword', { name: c.name, password: p }));
  };
  return (
    <form className="row connection-password" aria-label={`Password of connection ${c.name}`} onSubmit={submit}>
      <input
        type="password"
        aria-label={`Password for ${c.name}`}
        autoComplete="new-password"
        placeholder={c.secret.stored ? 'Replace the stored password' : c.driver === 'http' ? 'Secret ({secret})' : 'Password'}
        value={password}
        onChange={(e) => setPassword(e.target.value)}
      />
      <button type="submit" disabled={busy || password === ''}>
        Save to keychain
      </button>
      {c.secret.stored && (
        <button type="button" className="link" disabled={busy} onClick={() => void run(() => client.call('connections.forgetPassword', { name: c.name }))}>
          Forget password
        </button>
      )}
      {c.secret.from.startsWith('$') && <span className="small muted">{c.secret.from} is set for this app: it is used instead of the keychain.</span>}
    </form>
  );
}
