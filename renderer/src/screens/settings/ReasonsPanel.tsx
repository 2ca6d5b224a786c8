import { useState } from 'react';
import { REASON_CATEGORIES } from '../../../../engine/contract/index.ts';
import { useAction } from '../../bridge/use-action.ts';
import { useCall, useClient } from '../../bridge/use-client.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { useSession } from '../../session.tsx';

/** The reason-code catalogue: admins add and retire codes; a retired code stays valid in history. */
export function ReasonsPanel() {
  const client = useClient();
  const admin = useSession().has('admin');
  const list = useCall('reasons.list', { includeRetired: true });
  const [form, setForm] = useState({ code: '', description: '', category: 'NOISE' as (typeof REASON_CATEGORIES)[number] });
  const act = useAction(async (fn: () => Promise<unknown>) => {
    await fn();
    list.reload();
  });
  return (
    <section className="panel settings-panel" aria-labelledby="reasons-title">
      <h4 id="reasons-title">Reason codes</h4>
      <div className="table-scroll short">
        <table className="data compact reasons-table" aria-label="Reason codes">
          <thead>
            <tr>
              <th>Code</th>
              <th>Category</th>
              <th>Description</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {list.data?.reasons.map((r) => (
              <tr key={r.code} className={r.retiredAt ? 'retired' : undefined}>
                <td className="mono strong">{r.code}</td>
                <td>
                  <span className={`pill cat-${r.category.toLowerCase()}`}>{r.category === 'ACTION' ? 'action' : 'noise'}</span>
                </td>
                <td className="small">{r.description}</td>
                <td className="small nowrap">
                  {r.retiredAt ? (
                    <span className="muted">retired {r.retiredAt.slice(0, 10)}</span>
                  ) : (
                    admin && (
                      <button type="button" className="link" disabled={act.busy} onClick={() => void act.run(() => client.call('reasons.retire', { code: r.code }))}>
                        Retire
                      </button>
                    )
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {act.error && <ErrorMessage error={act.error} onDismiss={act.clear} />}
      {admin && (
        <form
          className="add-reason"
          aria-label="Add a reason code"
          onSubmit={(e) => {
            e.preventDefault();
            void act.run(() => client.call('reasons.add', { ...form, code: form.code.trim().toUpperCase() })).then(() => setForm({ ...form, code: '', description: '' }));
          }}
        >
          <input aria-label="New reason code" className="mono" placeholder="NEW_CODE" value={form.code} onChange={(e) => setForm({ ...form, code: e.target.value })} />
          <select aria-label="New reason category" value={form.category} onChange={(e) => setForm({ ...form, category: e.target.value as typeof form.category })}>
            <option value="NOISE">noise</option>
            <option value="ACTION">action</option>
          </select>
          <input aria-label="New reason description" placeholder="What it means (noise: explained; action: needs business action)" value={form.description} onChange={(e) => setForm({ ...form, description: e.target.value })} />
          <button type="submit" disabled={act.busy || form.code.trim() === '' || form.description.trim() === ''}>
            Add code
          </button>
        </form>
      )}
    </section>
  );
}
