import { useState, type FormEvent } from 'react';
import { CONNECTION_TLS_MODES } from '../../../../../engine/contract/index.ts';
import { DEFAULT_PORT, draftProblems, type ConnectionDraft, type DatabaseDraft, type HttpDraft } from './connection-draft.ts';

const TLS_HELP: Record<DatabaseDraft['tls'], string> = {
  disable: 'no encryption (loopback and tests only)',
  require: 'encrypted, the certificate not checked',
  verify: "encrypted, the certificate checked against the CA file (else the system's CAs)",
};

/** Adds or edits one connection (admin only): a database's server and login, or an HTTP API's base URL and headers. The password is never part of it. */
export function ConnectionForm({ initial, editing, busy, onSave, onCancel }: { initial: ConnectionDraft; editing: boolean; busy: boolean; onSave: (d: ConnectionDraft) => void; onCancel: () => void }) {
  const [d, setD] = useState<ConnectionDraft>(initial);
  const problems = draftProblems(d);
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    if (problems.length === 0) onSave(d);
  };
  return (
    <form className="connection-form" aria-label={d.kind === 'http' ? 'HTTP connection' : 'Database connection'} onSubmit={submit}>
      <label className="conn-name">
        <span>Name</span>
        <input aria-label="Connection name" placeholder={d.kind === 'http' ? 'custodian-api' : 'ledger'} value={d.name} disabled={editing} onChange={(e) => setD({ ...d, name: e.target.value })} />
      </label>
      {d.kind === 'database' ? <DatabaseFields d={d} set={setD} /> : <HttpFields d={d} set={setD} />}
      <div className="row conn-actions">
        <button type="submit" className="primary" disabled={busy || problems.length > 0}>
          Save connection
        </button>
        <button type="button" className="link" onClick={onCancel}>
          Cancel
        </button>
        {problems.length > 0 && <span className="muted small">Needs {problems.join(', ')}.</span>}
      </div>
    </form>
  );
}

function DatabaseFields({ d, set }: { d: DatabaseDraft; set: (d: DatabaseDraft) => void }) {
  const field = (k: keyof DatabaseDraft) => (e: { target: { value: string } }) => set({ ...d, [k]: e.target.value });
  return (
    <>
      <label className="conn-driver">
        <span>Database</span>
        <select
          aria-label="Database driver"
          value={d.driver}
          onChange={(e) => {
            const driver = e.target.value as DatabaseDraft['driver'];
            // The port follows the driver while it is the other driver's default.
            set({ ...d, driver, port: d.port === DEFAULT_PORT[d.driver] ? DEFAULT_PORT[driver] : d.port });
          }}
        >
          <option value="postgres">PostgreSQL</option>
          <option value="mysql">MySQL / MariaDB</option>
        </select>
      </label>
      <label className="conn-host">
        <span>Host</span>
        <input aria-label="Database host" placeholder="db.example.com" value={d.host} onChange={field('host')} />
      </label>
      <label className="conn-port">
        <span>Port</span>
        <input aria-label="Database port" inputMode="numeric" value={d.port} onChange={field('port')} />
      </label>
      <label className="conn-db">
        <span>Database name</span>
        <input aria-label="Database name" value={d.database} onChange={field('database')} />
      </label>
      <label className="conn-user">
        <span>User</span>
        <input aria-label="Database user" autoComplete="off" value={d.user} onChange={field('user')} />
      </label>
      <label className="conn-tls">
        <span>TLS</span>
        <select aria-label="Connection TLS" value={d.tls} title={TLS_HELP[d.tls]} onChange={(e) => set({ ...d, tls: e.target.value as DatabaseDraft['tls'] })}>
          {CONNECTION_TLS_MODES.map((m) => (
            <option key={m} value={m}>
              {m}
            </option>
          ))}
        </select>
      </label>
      <label className="conn-ca">
        <span>CA file (optional)</span>
        <input aria-label="Connection CA file" placeholder="/path/to/ca.pem" disabled={d.tls === 'disable'} value={d.caFile} onChange={field('caFile')} />
      </label>
      <label className="conn-timeout">
        <span>Connect timeout (s)</span>
        <input aria-label="Connect timeout" inputMode="numeric" value={d.connectTimeoutSeconds} onChange={field('connectTimeoutSeconds')} />
      </label>
      <label className="conn-timeout">
        <span>Query timeout (s)</span>
        <input aria-label="Query timeout" inputMode="numeric" value={d.queryTimeoutSeconds} onChange={field('queryTimeoutSeconds')} />
      </label>
      <p className="small muted conn-wide">TLS {d.tls}: {TLS_HELP[d.tls]}.</p>
    </>
  );
}

function HttpFields({ d, set }: { d: HttpDraft; set: (d: HttpDraft) => void }) {
  const header = (i: number, patch: Partial<HttpDraft['headers'][number]>) => set({ ...d, headers: d.headers.map((h, j) => (j === i ? { ...h, ...patch } : h)) });
  return (
    <>
      <label className="conn-wide">
        <span>Base URL</span>
        <input aria-label="Base URL" placeholder="https://api.example.com/v1" value={d.baseUrl} onChange={(e) => set({ ...d, baseUrl: e.target.value })} />
      </label>
      <fieldset className="conn-wide conn-headers">
        <legend className="small">
          Headers <span className="muted">— write the secret as {'{secret}'}; it is filled from the keychain at run time</span>
        </legend>
        {d.headers.map((h, i) => (
          <div className="row" key={i}>
            <input aria-label={`Header ${i + 1} name`} placeholder="Authorization" value={h.name} onChange={(e) => header(i, { name: e.target.value })} />
            <input
              aria-label={`Header ${i + 1} value`}
              placeholder={h.value === null ? '(saved value kept: type to replace it)' : 'Bearer {secret}'}
              value={h.value ?? ''}
              onChange={(e) => header(i, { value: e.target.value })}
            />
            <button type="button" className="link" aria-label={`Remove header ${i + 1}`} onClick={() => set({ ...d, headers: d.headers.filter((_, j) => j !== i) })}>
              ✕
            </button>
          </div>
        ))}
        <button type="button" className="link" onClick={() => set({ ...d, headers: [...d.headers, { name: '', value: '' }] })}>
          + Header
        </button>
      </fieldset>
      <label className="conn-timeout">
        <span>Timeout (s)</span>
        <input aria-label="Request timeout" inputMode="numeric" value={d.timeoutSeconds} onChange={(e) => set({ ...d, timeoutSeconds: e.target.value })} />
      </label>
      <label className="conn-timeout">
        <span>Retries</span>
        <input aria-label="Retries" inputMode="numeric" value={d.retries} onChange={(e) => set({ ...d, retries: e.target.value })} />
      </label>
    </>
  );
}
