import { useEffect, useState, type FormEvent } from 'react';
import { SYNC_TLS_MODES, type ParkedItemDto, type SyncConnection, type SyncOverview, type SyncTlsMode } from '../../../../engine/contract/index.ts';
import { useAction } from '../../bridge/use-action.ts';
import { useClient } from '../../bridge/use-client.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { age, count } from '../../format.ts';
import { useSession } from '../../session.tsx';
import { SYNC_STATE_TEXT, syncSummary, useSyncStatus } from './use-sync-status.ts';

const TLS_HELP: Record<SyncTlsMode, string> = {
  disable: 'no encryption (loopback and tests only)',
  require: 'encrypted; the certificate is checked only against a CA file when one is given',
  'verify-full': 'encrypted; certificate and host name checked (a CA file for a private CA)',
};

interface Draft {
  host: string;
  port: string;
  database: string;
  user: string;
  tls: SyncTlsMode;
  caFile: string;
}

const draftOf = (c: SyncConnection | null): Draft =>
  c ? { host: c.host, port: String(c.port), database: c.database, user: c.user, tls: c.tls, caFile: c.caFile ?? '' } : { host: '', port: '5432', database: 'recon', user: '', tls: 'verify-full', caFile: '' };

const when = (iso: string | null): string => (iso === null ? 'never' : `${iso.replace('T', ' ').slice(0, 19)} (${age(iso)})`);

/**
 * The team connection: where the team's PostgreSQL is (an admin sets it; it
 * lives in the workspace settings), the password (kept in the OS keychain
 * only), and how sync is doing: state, queue, last sync, parked events.
 */
export function TeamPanel() {
  const client = useClient();
  const admin = useSession().has('admin');
  const { overview: s, call } = useSyncStatus();
  const act = useAction(async (fn: () => Promise<unknown>) => {
    await fn();
    call.reload();
  });

  return (
    <section className="panel settings-panel team-panel" aria-labelledby="team-title">
      <h4 id="team-title">
        Team connection {s && <span className={`pill sync-pill sync-${s.state}`}>{SYNC_STATE_TEXT[s.state]}</span>}
      </h4>
      <p className="small muted">
        Decisions, approvals and the audit trail sync with your team’s PostgreSQL; this workstation keeps working offline and catches up when the server is reachable.
      </p>
      {call.error && <ErrorMessage error={call.error} onRetry={call.reload} />}
      {s && <ConnectionForm s={s} admin={admin} onSave={(c) => act.run(() => client.call('sync.configure', c))} busy={act.busy} />}
      {s?.configured && <PasswordForm s={s} busy={act.busy} run={act.run} />}
      {act.error && <ErrorMessage error={act.error} onDismiss={act.clear} />}
      {s?.configured && <SyncFacts s={s} />}
      {s?.configured && (
        <div className="row">
          <button type="button" disabled={act.busy || s.state === 'syncing'} onClick={() => void act.run(() => client.call('sync.now', {}))}>
            {s.state === 'syncing' && <span className="spinner" />} Sync now
          </button>
          <span className="muted small">Sync also runs in the background, and soon after every change here.</span>
        </div>
      )}
      {s && s.parked.length > 0 && <ParkedList items={s.parked} blockedFromSeq={s.blockedFromSeq} busy={act.busy} run={act.run} />}
      {s && !s.configured && (
        <p className="small muted">
          Not connected yet: every action is kept in this workspace’s tamper-evident audit trail and its sync queue ({count(s.queueLength)} event{s.queueLength === 1 ? '' : 's'}), ready to
          send once the connection exists.
        </p>
      )}
    </section>
  );
}

/** Host, port, database, login, TLS and CA file: an admin edits them, everyone else reads them. */
function ConnectionForm({ s, admin, onSave, busy }: { s: SyncOverview; admin: boolean; onSave: (c: { host: string; port: number; database: string; user: string; tls: SyncTlsMode; caFile: string | null }) => void; busy: boolean }) {
  const [d, setD] = useState<Draft>(() => draftOf(s.connection));
  // The form follows the saved connection when it changes (saved here, or by another admin's process).
  const saved = JSON.stringify(s.connection);
  useEffect(() => setD(draftOf(JSON.parse(saved) as SyncConnection | null)), [saved]);
  if (!admin) {
    return s.connection ? (
      <p className="small">
        Server <span className="mono">{s.server}</span> · TLS {s.connection.tls}
        {s.connection.caFile && <span className="mono"> · CA {s.connection.caFile}</span>}
        <span className="muted"> · only an admin changes it</span>
      </p>
    ) : (
      <p className="small muted">No team connection yet: an admin sets it up here.</p>
    );
  }
  const set = (k: keyof Draft) => (e: { target: { value: string } }) => setD({ ...d, [k]: e.target.value });
  const port = Number(d.port);
  const valid = d.host.trim() !== '' && d.database.trim() !== '' && d.user.trim() !== '' && Number.isInteger(port) && port > 0 && port < 65536;
  const changed = JSON.stringify(draftOf(s.connection)) !== JSON.stringify(d);
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    onSave({ host: d.host.trim(), port, database: d.database.trim(), user: d.user.trim(), tls: d.tls, caFile: d.tls !== 'disable' && d.caFile.trim() ? d.caFile.trim() : null });
  };
  return (
    <form className="team-form" aria-label="Team server" onSubmit={submit}>
      <label className="team-host">
        <span>Host</span>
        <input aria-label="Team server host" placeholder="db.example.com" value={d.host} onChange={set('host')} />
      </label>
      <label className="team-port">
        <span>Port</span>
        <input aria-label="Team server port" inputMode="numeric" value={d.port} onChange={set('port')} />
      </label>
      <label className="team-db">
        <span>Database</span>
        <input aria-label="Team database" value={d.database} onChange={set('database')} />
      </label>
      <label className="team-login">
        <span>Login</span>
        <input aria-label="Team login" autoComplete="username" value={d.user} onChange={set('user')} />
      </label>
      <label className="team-tls">
        <span>TLS</span>
        <select aria-label="TLS mode" value={d.tls} onChange={(e) => setD({ ...d, tls: e.target.value as SyncTlsMode })} title={TLS_HELP[d.tls]}>
          {SYNC_TLS_MODES.map((m) => (
            <option key={m} value={m}>
              {m}
            </option>
          ))}
        </select>
      </label>
      <label className="team-ca">
        <span>CA file (optional)</span>
        <input aria-label="CA file" placeholder="/path/to/ca.pem" disabled={d.tls === 'disable'} value={d.caFile} onChange={set('caFile')} />
      </label>
      <p className="small muted team-tls-help">TLS {d.tls}: {TLS_HELP[d.tls]}.</p>
      <div className="row">
        <button type="submit" className="primary" disabled={!valid || !changed || busy}>
          Save connection
        </button>
        <span className="muted small">The password is never part of it.</span>
      </div>
    </form>
  );
}

/** The password goes to the OS keychain and nowhere else; the field is cleared once sent. */
function PasswordForm({ s, busy, run }: { s: SyncOverview; busy: boolean; run: (fn: () => Promise<unknown>) => Promise<unknown> }) {
  const client = useClient();
  const [password, setPassword] = useState('');
  const kc = s.keychain;
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    const p = password;
    setPassword('');
    void run(() => client.call('sync.login', { password: p }));
  };
  return (
    <div className="team-password">
      <p className="small" role="status" aria-label="Keychain status">
        <span className={`pill ${!kc.available ? 'sync-offline' : kc.hasPassword ? 'sync-online' : ''}`}>
          {!kc.available ? 'No keychain' : kc.hasPassword ? 'Password in keychain' : 'No password stored'}
        </span>{' '}
        <span className="muted">{kc.message}</span>
      </p>
      {s.passwordSource === 'PGPASSWORD' && <p className="small muted">PGPASSWORD is set for this process: it is used instead of the keychain.</p>}
      <form className="row" aria-label="Store the team password" onSubmit={submit}>
        <input type="password" aria-label="Team password" autoComplete="current-password" placeholder={kc.hasPassword ? 'Replace the stored password' : 'Password'} value={password} onChange={(e) => setPassword(e.target.value)} />
        <button type="submit" disabled={busy || password === ''}>
          Save to keychain
        </button>
        {kc.hasPassword && (
          <button type="button" className="link" disabled={busy} onClick={() => void run(() => client.call('sync.forget', {}))}>
            Forget password
          </button>
        )}
      </form>
    </div>
  );
}

/** State, server, queue, last sync and the last error. */
function SyncFacts({ s }: { s: SyncOverview }) {
  return (
    <dl className="facts team-facts" aria-label="Sync status">
      <dt>State</dt>
      <dd className="strong">{syncSummary(s)}</dd>
      <dt>Server</dt>
      <dd className="mono">{s.server}</dd>
      <dt>Signed in as</dt>
      <dd className="mono" aria-label="Signed in as">
        {s.signedInAs}
      </dd>
      <dt>Queue</dt>
      <dd>
        {count(s.queueLength)} event{s.queueLength === 1 ? '' : 's'} waiting to be sent{s.serverSeq !== null && <span className="muted"> · the server holds up to #{s.serverSeq}</span>}
      </dd>
      <dt>Last sync</dt>
      <dd>{when(s.lastSyncAt)}</dd>
      {s.lastError && (
        <>
          <dt>Last error</dt>
          <dd className="team-error">
            <span className="mono bad">{s.lastError.code}</span> {s.lastError.message}
            {s.nextAttemptAt && <span className="muted small"> · next attempt {s.nextAttemptAt.replace('T', ' ').slice(11, 19)}</span>}
          </dd>
        </>
      )}
    </dl>
  );
}

/** Events the server did not take: a refusal is dismissed; an event it could not chain is retried once its cause is fixed. */
function ParkedList({ items, blockedFromSeq, busy, run }: { items: ParkedItemDto[]; blockedFromSeq: number | null; busy: boolean; run: (fn: () => Promise<unknown>) => Promise<unknown> }) {
  const client = useClient();
  const seqs = (p: ParkedItemDto): string => (p.toSeq !== p.fromSeq ? `${p.fromSeq}–${p.toSeq}` : String(p.fromSeq));
  return (
    <div className="team-parked">
      <h5>Parked events</h5>
      {blockedFromSeq !== null && (
        <p className="notice warn">Events from #{blockedFromSeq} wait: the server could not chain one of them. Fix the cause, then retry; everything else keeps syncing.</p>
      )}
      <table className="data compact" aria-label="Parked events">
        <thead>
          <tr>
            <th>Events</th>
            <th>Kind</th>
            <th>Why</th>
            <th>Parked</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {items.map((p) => (
            <tr key={`${p.deviceId}:${p.fromSeq}:${p.kind}`}>
              <td className="mono">#{seqs(p)}</td>
              <td>
                <span className={`pill ${p.kind === 'INVALID' ? 'sync-offline' : 'sync-refused'}`}>{p.kind === 'INVALID' ? 'not chained' : 'refused'}</span>
              </td>
              <td className="small">
                <span className="mono">{p.code}</span> {p.message}
              </td>
              <td className="small muted">{age(p.parkedAt)}</td>
              <td>
                {p.kind === 'INVALID' ? (
                  <button type="button" disabled={busy} aria-label={`Retry #${seqs(p)}`} onClick={() => void run(() => client.call('sync.unpark', { action: 'retry', fromSeq: p.fromSeq }))}>
                    Retry
                  </button>
                ) : (
                  <button type="button" disabled={busy} aria-label={`Dismiss #${seqs(p)}`} onClick={() => void run(() => client.call('sync.unpark', { action: 'discard', fromSeq: p.fromSeq }))}>
                    Dismiss
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="hint">A refused event is in the team’s trail, its effect undone here (e.g. an approval by the proposal’s maker): dismiss it once seen.</p>
    </div>
  );
}
