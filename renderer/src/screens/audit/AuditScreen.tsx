import { Fragment, useEffect, useState } from 'react';
import type { AuditEventDto, CallArgs } from '../../../../engine/contract/index.ts';
import { useCall, useClient, useEvent } from '../../bridge/use-client.ts';
import { errorData } from '../../bridge/client.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { useKeys } from '../../keys.ts';
import { AuditExport } from './AuditExport.tsx';
import { ChainStatus } from './ChainStatus.tsx';
import { compactJson, describeEvent } from './describe.ts';
import './audit.css';

type Filters = { actor: string; action: string; target: string; from: string; to: string };
const EMPTY: Filters = { actor: '', action: '', target: '', from: '', to: '' };

const argsOf = (f: Filters): CallArgs<'audit.list'> => ({
  limit: 100,
  ...(f.actor ? { actor: f.actor } : {}),
  ...(f.action ? { action: f.action } : {}),
  ...(f.target.trim() ? { target: f.target.trim() } : {}),
  ...(f.from ? { from: f.from } : {}),
  ...(f.to ? { to: f.to } : {}),
});

/** The tamper-evident trail: chain verification, a filterable list (actor, action, target, time) and export. */
export function AuditScreen() {
  const client = useClient();
  const [f, setF] = useState<Filters>(EMPTY);
  const [typed, setTyped] = useState('');
  const [older, setOlder] = useState<AuditEventDto[]>([]);
  const [open, setOpen] = useState<string | null>(null);
  const [moreError, setMoreError] = useState<ReturnType<typeof errorData>>();
  useEffect(() => {
    const t = setTimeout(() => setF((x) => ({ ...x, target: typed })), 250);
    return () => clearTimeout(t);
  }, [typed]);
  const page = useCall('audit.list', argsOf(f));
  const [cursor, setCursor] = useState<CallArgs<'audit.list'>['before'] | null>(null);
  // A fresh first page drops the older pages loaded under it.
  useEffect(() => {
    setOlder([]);
    setCursor(page.data?.next ?? null);
  }, [page.data]);
  useEvent('workflow.changed', () => page.reload());
  useKeys({ r: page.reload });
  const events = [...(page.data?.events ?? []), ...older];
  const loadOlder = async (): Promise<void> => {
    if (!cursor) return;
    try {
      const more = await client.call('audit.list', { ...argsOf(f), before: cursor });
      setOlder((o) => [...o, ...more.events]);
      setCursor(more.next);
    } catch (err) {
      setMoreError(errorData(err));
    }
  };
  const set = (k: keyof Filters) => (e: { target: { value: string } }) => setF((x) => ({ ...x, [k]: e.target.value }));
  const prefixes = [...new Set((page.data?.actions ?? []).map((a) => `${a.split('.')[0]}.`))];

  return (
    <section className="screen audit" aria-labelledby="audit-title">
      <header className="screen-header">
        <div>
          <h2 id="audit-title">Audit trail</h2>
          <p className="muted small">Every run, decision, approval, role and setting change, each event hashed with the one before it. Stored locally first; team sync sends it to the server.</p>
        </div>
      </header>
      <ChainStatus />
      <div className="audit-filters" role="search">
        <label>
          <span>Actor</span>
          <select aria-label="Actor filter" value={f.actor} onChange={set('actor')}>
            <option value="">Everyone</option>
            {page.data?.actors.map((a) => (
              <option key={a}>{a}</option>
            ))}
          </select>
        </label>
        <label>
          <span>Action</span>
          <select aria-label="Action filter" value={f.action} onChange={set('action')}>
            <option value="">All actions</option>
            <optgroup label="Groups">
              {prefixes.map((p) => (
                <option key={p} value={p}>
                  {p}*
                </option>
              ))}
            </optgroup>
            <optgroup label="Actions">
              {page.data?.actions.map((a) => (
                <option key={a}>{a}</option>
              ))}
            </optgroup>
          </select>
        </label>
        <label>
          <span>Target contains</span>
          <input aria-label="Target filter" value={typed} placeholder="run id, user:bob, decision:…" onChange={(e) => setTyped(e.target.value)} />
        </label>
        <label>
          <span>From (UTC)</span>
          <input type="date" aria-label="From date" value={f.from} onChange={set('from')} />
        </label>
        <label>
          <span>To (UTC)</span>
          <input type="date" aria-label="To date" value={f.to} onChange={set('to')} />
        </label>
        <button type="button" className="link" onClick={() => (setF(EMPTY), setTyped(''))}>
          Clear
        </button>
        <span className="spacer" />
        <span className="muted small" role="status">
          {page.loading ? <span className="spinner" /> : `${events.length}${cursor ? '+' : ''} events`}
        </span>
      </div>
      {page.error && <ErrorMessage error={page.error} onRetry={page.reload} />}
      <table className="data audit-table" aria-label="Audit events">
        <thead>
          <tr>
            <th>Time (UTC)</th>
            <th>Actor</th>
            <th>Action</th>
            <th>Target</th>
            <th>What</th>
            <th>Comment</th>
            <th className="num">Seq</th>
          </tr>
        </thead>
        <tbody>
          {events.map((e) => (
            <Fragment key={e.eventId}>
              <tr className={open === e.eventId ? 'selected' : undefined} onClick={() => setOpen(open === e.eventId ? null : e.eventId)}>
                <td className="mono nowrap">{e.at.replace('T', ' ').slice(0, 19)}</td>
                <td className="strong">{e.actor}</td>
                <td>
                  <span className={`pill act-${e.action.split('.')[0]}`}>{e.action}</span>
                </td>
                <td className="mono small target">{e.target}</td>
                <td className="small">{describeEvent(e)}</td>
                <td className="small comment">{e.comment ?? ''}</td>
                <td className="num mono muted">{e.seq}</td>
              </tr>
              {open === e.eventId && (
                <tr className="event-json">
                  <td colSpan={7}>
                    <div className="two-up">
                      <pre aria-label="Before">{compactJson(e.before)}</pre>
                      <pre aria-label="After">{compactJson(e.after)}</pre>
                    </div>
                    <p className="mono muted small">
                      event {e.eventId} · device {e.deviceId} · hash {e.hash}
                    </p>
                  </td>
                </tr>
              )}
            </Fragment>
          ))}
        </tbody>
      </table>
      {moreError && <ErrorMessage error={moreError} />}
      {cursor && (
        <button type="button" onClick={() => void loadOlder()}>
          Load older events
        </button>
      )}
      <AuditExport />
    </section>
  );
}
