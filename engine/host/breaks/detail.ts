/**
 * breaks.detail: a break with its two whole records side by side. The staged
 * tables `a` and `b` hold every loaded record, typed and normalized, under the
 * definition's field names; values are read as text so decimals stay exact.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { CallResult, DetailField } from '../../contract/index.ts';
import { queryRows } from '../../duckdb/open.ts';
import { ReconError } from '../../errors/recon-error.ts';
import { ident } from '../../sql/quote.ts';
import type { RunDb } from './run-db.ts';
import { breakByIdSql, breaksOfKeySql, toBreakRow } from './sql.ts';

type Detail = CallResult<'breaks.detail'>;

interface Column {
  name: string;
  type: string;
}

export async function readDetail(db: RunDb, breakId: number): Promise<Detail> {
  const attr = db.hasAttributions;
  return db.run(async (c) => {
    const found = await queryRows<Record<string, unknown>>(c, breakByIdSql(attr), [breakId]);
    if (found.length === 0) throw new ReconError('NOT_FOUND', `run ${db.runId} has no break ${breakId}`, { runId: db.runId, breakId });
    const brk = toBreakRow(found[0]!);
    const related = (await queryRows<Record<string, unknown>>(c, breaksOfKeySql(attr), [brk.key])).map(toBreakRow);
    const topFeatures = db.hasTopFeatures ? await readTopFeatures(c, breakId) : null;

    const keyFields = await readKeyFields(c);
    const colsA = await tableColumns(c, 'a');
    const colsB = await tableColumns(c, 'b');
    const recA = brk.ridA === null ? null : await readRecord(c, 'a', colsA, brk.ridA);
    const recB = brk.ridB === null ? null : await readRecord(c, 'b', colsB, brk.ridB);

    // Breaks of this very record pair, by field.
    const breakOfField = new Map<string, number>();
    for (const r of related) {
      if (r.diffType === 'MISMATCH' && r.ridA === brk.ridA && r.ridB === brk.ridB) breakOfField.set(r.field, r.breakId);
    }
    const names = [...colsA, ...colsB.filter((b) => !colsA.some((a) => a.name === b.name))];
    const fields: DetailField[] = names.map((col) => {
      const a = recA?.values.get(col.name) ?? null;
      const b = recB?.values.get(col.name) ?? null;
      const isKey = keyFields.has(col.name.toLowerCase());
      const breakOf = breakOfField.get(col.name) ?? null;
      const both = recA !== null && recB !== null;
      return {
        name: col.name,
        type: col.type,
        isKey,
        a,
        b,
        differs: breakOf !== null,
        withinTolerance: both && breakOf === null && !isKey && a !== b,
        breakId: breakOf,
      };
    });
    return {
      break: brk,
      fields,
      a: recA === null ? null : { rid: brk.ridA!, keyText: recA.keyText },
      b: recB === null ? null : { rid: brk.ridB!, keyText: recB.keyText },
      topFeatures,
      related,
    };
  });
}

async function tableColumns(c: DuckDBConnection, table: 'a' | 'b'): Promise<Column[]> {
  const rows = await queryRows<{ column_name: string; data_type: string }>(
    c,
    `SELECT column_name, data_type FROM duckdb_columns()
      WHERE database_name = current_database() AND schema_name = 'main' AND table_name = $1 AND NOT starts_with(column_name, '__')
      ORDER BY column_index`,
    [table],
  );
  return rows.map((r) => ({ name: r.column_name, type: r.data_type }));
}

async function readRecord(c: DuckDBConnection, table: 'a' | 'b', cols: Column[], rid: number): Promise<{ values: Map<string, string | null>; keyText: string | null } | null> {
  const select = cols.map((col, i) => `CAST(${ident(col.name)} AS VARCHAR) AS c${i}`);
  const rows = await queryRows<Record<string, string | null>>(
    c,
    `SELECT ${[...select, '__key_text AS k'].join(', ')} FROM ${table} WHERE __rid = $1 LIMIT 1`,
    [rid],
  );
  const row = rows[0];
  if (row === undefined) return null;
  return { values: new Map(cols.map((col, i) => [col.name, row[`c${i}`] ?? null])), keyText: row['k'] ?? null };
}

async function readKeyFields(c: DuckDBConnection): Promise<Set<string>> {
  const rows = await queryRows<{ k: string | null }>(c, `SELECT CAST(json_extract(definition, '$.key') AS VARCHAR) AS k FROM run_info LIMIT 1`);
  const parsed = rows[0]?.k ? (JSON.parse(rows[0].k) as unknown) : [];
  return new Set(Array.isArray(parsed) ? parsed.map((k) => String(k).toLowerCase()) : []);
}

async function readTopFeatures(c: DuckDBConnection, breakId: number): Promise<unknown> {
  const rows = await queryRows<{ f: string | null }>(c, 'SELECT CAST(top_features AS VARCHAR) AS f FROM attributions WHERE break_id = $1', [breakId]);
  const text = rows[0]?.f;
  if (text === null || text === undefined) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
