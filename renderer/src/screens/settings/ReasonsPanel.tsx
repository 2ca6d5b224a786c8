import { useState } from 'react';
import { REASON_CATEGORIES, type ErrorData, type ReasonDto } from '../../../../engine/contract/index.ts';
import { errorData } from '../../bridge/client.ts';
import { useAction } from '../../bridge/use-action.ts';
import { useCall, useClient, useEvent } from '../../bridge/use-client.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { useSession } from '../../session.tsx';

type FormField = 'code' | 'description' | 'category';

/**
 * The engine's refusal of a new code, by form field: argument checks carry
 * their issues by path; the catalogue's own refusals (format, a code that
 * exists) are about the code. Null when the error is about none of them.
 */
export function fieldErrors(e: ErrorData): Partial<Record<FormField, string>> | null {
  const issues = e.details?.['issues'];
  if (Array.isArray(issues)) {
    const out: Partial<Record<FormField, string>> = {};
    for (const i of issues as { path?: unknown; message?: unknown }[]) {
      const field = String(i.path ?? '').split('.')[0];
      if (field === 'code' || field === 'description' || field === 'category') out[field] ??= /^a /.test(String(i.message)) ? `Expected ${String(i.message)}, e.g. BOOKING_ERROR.` : String(i.message);
    }
    if (Object.keys(out).length > 0) return out;
  }
  if (e.code === 'INVALID_ARGUMENT' && /reason code/i.test(e.message)) return { code: e.message };
  return null;
}

/** The reason-code catalogue: admins add and retire codes; a retired code stays valid in history. */
export function ReasonsPanel() {
  const client = useClient();
  const admin = useSession().has('admin');
  const list = useCall('reasons.list', { includeRetired: true });
  // The catalogue as another host or the CLI changed it, too.
  useEvent('workflow.changed', (e) => e.what === 'reasons' && list.reload());
  const [form, setForm] = useState({ code: '', description: '', category: 'NOISE' as (typeof REASON_CATEGORIES)[number] });
  const act = useAction(async (fn: () => Promise<unknown>) => {
    await fn();
    list.reload();
  });
  // Adding: what is wrong is said beside its field, and the form keeps what was typed.
  const [errors, setErrors] = useState<Partial<Record<FormField, string>>>({});
  const [addError, setAddError] = useState<ErrorData>();
  const [adding, setAdding] = useState(false);
  const add = async (): Promise<void> => {
    setErrors({});
    setAddError(undefined);
    setAdding(true);
    try {
      await client.call('reasons.add', { ...form, code: form.code.trim().toUpperCase() });
      setForm({ ...form, code: '', description: '' });
      list.reload();
    } catch (err) {
      const e = errorData(err);
      const byField = fieldErrors(e);
      if (byField) setErrors(byField);
      else setAddError(e);
    } finally {
      setAdding(false);
    }
  };
  const invalid = (f: FormField) =>
    errors[f] !== undefined ? ({ 'aria-invalid': true, 'aria-describedby': `new-reason-${f}-error` } as const) : ({ 'aria-invalid': false } as const);
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
              <th title="Days a break with this reason may stay open before it is overdue (the grid's SLA column and Overdue quick filter)">SLA (days)</th>
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
                <td className="nowrap">
                  {admin ? (
                    <SlaInput reason={r} busy={act.busy} onSave={(slaDays) => void act.run(() => client.call('reasons.setSla', { code: r.code, slaDays }))} />
                  ) : (
                    <span className="muted">{r.slaDays === null ? '—' : `${r.slaDays} d`}</span>
                  )}
                </td>
                <td className="small nowrap">
                  {r.retiredAt ? (
                    <span className="muted">retired {r.retiredAt.slice(0, 10)}</span>
                  ) : r.system ? (
                    // The engine assigns these itself (UNKNOWN, MISSING_IN_A…): it refuses to retire them, so none is offered.
                    <span className="pill muted" title="Assigned by the engine to every run: cannot be retired">
                      system
                    </span>
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
            void add();
          }}
        >
          <input
            aria-label="New reason code"
            className="mono"
            placeholder="NEW_CODE"
            value={form.code}
            {...invalid('code')}
            onChange={(e) => {
              setForm({ ...form, code: e.target.value });
              setErrors((e) => ({ ...e, code: undefined }));
            }}
          />
          <select aria-label="New reason category" value={form.category} {...invalid('category')} onChange={(e) => setForm({ ...form, category: e.target.value as typeof form.category })}>
            <option value="NOISE">noise</option>
            <option value="ACTION">action</option>
          </select>
          <input
            aria-label="New reason description"
            placeholder="What it means (noise: explained; action: needs business action)"
            value={form.description}
            {...invalid('description')}
            onChange={(e) => {
              setForm({ ...form, description: e.target.value });
              setErrors((e) => ({ ...e, description: undefined }));
            }}
          />
          <button type="submit" disabled={adding || form.code.trim() === '' || form.description.trim() === ''}>
            Add code
          </button>
          {(['code', 'category', 'description'] as const).map((f, i) => (
            <span key={f} id={`new-reason-${f}-error`} className="field-error" role={errors[f] !== undefined ? 'alert' : undefined} style={{ gridColumn: i + 1 }}>
              {errors[f] ?? ''}
            </span>
          ))}
        </form>
      )}
      {addError && <ErrorMessage error={addError} onDismiss={() => setAddError(undefined)} />}
    </section>
  );
}

/** An admin's SLA for one code: whole days, empty for none; saved with Enter, on leaving the field, or Save. */
function SlaInput({ reason, busy, onSave }: { reason: ReasonDto; busy: boolean; onSave: (slaDays: number | null) => void }) {
  const shown = reason.slaDays === null ? '' : String(reason.slaDays);
  const [text, setText] = useState(shown);
  const [was, setWas] = useState(shown);
  // Another admin (or this one) changed it: show the catalogue's value.
  if (was !== shown) {
    setWas(shown);
    setText(shown);
  }
  const value = text.trim() === '' ? null : Number(text);
  const valid = value === null || (Number.isInteger(value) && value >= 0 && value <= 3650);
  const dirty = text.trim() !== shown;
  const save = (): void => {
    if (dirty && valid) onSave(value);
  };
  return (
    <span className="sla-input">
      <input
        type="number"
        min={0}
        max={3650}
        step={1}
        inputMode="numeric"
        aria-label={`SLA of ${reason.code} in days`}
        aria-invalid={!valid}
        placeholder="—"
        value={text}
        onChange={(e) => setText(e.target.value)}
        onBlur={save}
        onKeyDown={(e) => {
          if (e.key === 'Enter') save();
          if (e.key === 'Escape') setText(shown);
        }}
      />
      {dirty && (
        <button type="button" className="link" disabled={busy || !valid} onClick={save}>
          Save
        </button>
      )}
    </span>
  );
}
