import type { ConnectionDto } from '../../../../engine/contract/index.ts';
import type { ParamRow, SourceForm } from './draft.ts';

type Pagination = NonNullable<SourceForm['pagination']>;

/** The :name parameters a query uses (not "::casts"; strings and comments are the engine's to judge). */
export function queryParamNames(sql: string): string[] {
  const names = new Set<string>();
  for (const m of sql.matchAll(/(?<![:\w]):([A-Za-z_][A-Za-z0-9_]*)/g)) names.add(m[1]!);
  return [...names];
}

/** A parameter row for every :name the query uses that has none yet; rows already there (and their values) stay. */
export function withQueryParams(rows: readonly ParamRow[], sql: string): ParamRow[] {
  const have = new Set(rows.map((r) => r.name));
  return [...rows, ...queryParamNames(sql).filter((n) => !have.has(n)).map((name) => ({ name, value: '' }))];
}

/**
 * A query or HTTP side of the new-run form: a connection the workspace has
 * saved (an admin adds them in Settings → Connections), then the query and its
 * parameters, or the API's path, records and pagination.
 */
export function RemoteSourceFields({ side, form, connections, onChange }: { side: 'A' | 'B'; form: SourceForm; connections: ConnectionDto[] | undefined; onChange: (form: SourceForm) => void }) {
  const usable = (connections ?? []).filter((c) => (form.kind === 'http' ? c.driver === 'http' : c.driver !== 'http'));
  const known = usable.some((c) => c.name === form.connection);
  return (
    <div className="remote-source">
      <label>
        <span>Connection</span>
        <select aria-label={`Source ${side} connection`} value={form.connection} onChange={(e) => onChange({ ...form, connection: e.target.value })}>
          <option value="">{usable.length === 0 ? '(none saved: Settings → Connections)' : 'Pick a connection…'}</option>
          {form.connection !== '' && !known && <option value={form.connection}>{form.connection} (not in this workspace)</option>}
          {usable.map((c) => (
            <option key={c.name} value={c.name}>
              {c.name} — {c.driver === 'http' ? c.baseUrl : `${c.driver} ${c.host}/${c.database}`}
            </option>
          ))}
        </select>
      </label>
      {form.kind === 'query' ? (
        <label className="remote-sql">
          <span>SQL (parameters as :name)</span>
          <textarea
            aria-label={`Source ${side} SQL`}
            rows={4}
            spellCheck={false}
            placeholder="SELECT trade_id, amount, ccy FROM trades WHERE trade_date = :asOf ORDER BY trade_id"
            value={form.sql}
            onChange={(e) => onChange({ ...form, sql: e.target.value, params: withQueryParams(form.params, e.target.value) })}
          />
        </label>
      ) : (
        <HttpFields side={side} form={form} onChange={onChange} />
      )}
      <ParamsEditor side={side} kind={form.kind} rows={form.params} onChange={(params) => onChange({ ...form, params })} />
    </div>
  );
}

function ParamsEditor({ side, kind, rows, onChange }: { side: 'A' | 'B'; kind: SourceForm['kind']; rows: ParamRow[]; onChange: (rows: ParamRow[]) => void }) {
  const set = (i: number, patch: Partial<ParamRow>) => onChange(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  return (
    <fieldset className="remote-params">
      <legend className="small">{kind === 'query' ? 'Parameter values (e.g. asOf = 2026-12-01)' : 'Query parameters of the first request'}</legend>
      {rows.map((r, i) => (
        <div className="row" key={i}>
          <input aria-label={`Source ${side} parameter ${i + 1} name`} placeholder="asOf" value={r.name} onChange={(e) => set(i, { name: e.target.value })} />
          <span>=</span>
          <input aria-label={`Source ${side} parameter ${r.name || i + 1}`} placeholder="2026-12-01" value={r.value} onChange={(e) => set(i, { value: e.target.value })} />
          <button type="button" className="link" aria-label={`Remove parameter ${r.name || i + 1}`} onClick={() => onChange(rows.filter((_, j) => j !== i))}>
            ✕
          </button>
        </div>
      ))}
      <button type="button" className="link" onClick={() => onChange([...rows, { name: '', value: '' }])}>
        + Parameter
      </button>
    </fieldset>
  );
}

const PAGINATIONS: [string, string][] = [
  ['', 'One request'],
  ['link', 'Next link (Link header or body)'],
  ['cursor', 'Cursor'],
  ['page', 'Page numbers'],
];

function HttpFields({ side, form, onChange }: { side: 'A' | 'B'; form: SourceForm; onChange: (form: SourceForm) => void }) {
  const p = form.pagination;
  const setPagination = (kind: string): void => {
    const next: Pagination | null = kind === 'link' ? { kind: 'link' } : kind === 'cursor' ? { kind: 'cursor', cursor: '/next_cursor', param: 'cursor' } : kind === 'page' ? { kind: 'page', param: 'page', start: 1 } : null;
    onChange({ ...form, pagination: next });
  };
  return (
    <div className="remote-http">
      <label>
        <span>Path</span>
        <input aria-label={`Source ${side} path`} placeholder="/trades" value={form.httpPath} onChange={(e) => onChange({ ...form, httpPath: e.target.value })} />
      </label>
      <label>
        <span>Response</span>
        <select aria-label={`Source ${side} response`} value={form.response} onChange={(e) => onChange({ ...form, response: e.target.value === 'ndjson' ? 'ndjson' : 'json' })}>
          <option value="json">JSON</option>
          <option value="ndjson">NDJSON (one record per line)</option>
        </select>
      </label>
      {form.response === 'json' && (
        <label>
          <span>Records at (JSON pointer)</span>
          <input aria-label={`Source ${side} records pointer`} placeholder="/data/items (empty: the body is the array)" value={form.records} onChange={(e) => onChange({ ...form, records: e.target.value })} />
        </label>
      )}
      <label>
        <span>Pagination</span>
        <select aria-label={`Source ${side} pagination`} value={p?.kind ?? ''} onChange={(e) => setPagination(e.target.value)}>
          {PAGINATIONS.map(([v, label]) => (
            <option key={v} value={v}>
              {label}
            </option>
          ))}
        </select>
      </label>
      {p?.kind === 'cursor' && (
        <>
          <label>
            <span>Cursor at</span>
            <input aria-label={`Source ${side} cursor pointer`} value={p.cursor} onChange={(e) => onChange({ ...form, pagination: { ...p, cursor: e.target.value } })} />
          </label>
          <label>
            <span>Cursor parameter</span>
            <input aria-label={`Source ${side} cursor parameter`} value={p.param} onChange={(e) => onChange({ ...form, pagination: { ...p, param: e.target.value } })} />
          </label>
        </>
      )}
      {p?.kind === 'page' && (
        <>
          <label>
            <span>Page parameter</span>
            <input aria-label={`Source ${side} page parameter`} value={p.param ?? 'page'} onChange={(e) => onChange({ ...form, pagination: { ...p, param: e.target.value } })} />
          </label>
          <label>
            <span>Page size (optional)</span>
            <input
              aria-label={`Source ${side} page size`}
              inputMode="numeric"
              value={p.size ?? ''}
              onChange={(e) => {
                const { size: _drop, ...rest } = p;
                void _drop;
                onChange({ ...form, pagination: /^\d+$/.test(e.target.value) && Number(e.target.value) > 0 ? { ...rest, size: Number(e.target.value) } : rest });
              }}
            />
          </label>
        </>
      )}
    </div>
  );
}
