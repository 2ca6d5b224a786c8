/**
 * breaks.detail: a break with its whole records side by side. The staged
 * tables `a` and `b` hold every loaded record, typed and normalized, under the
 * definition's field names; values are read as text so decimals stay exact.
 * `records` holds every row of the break's key that its breaks name (both
 * sides' rows of a duplicated key, else the break's own pair), each at the
 * line a person finds it at in the file (`line_map`), a rejected row with
 * its raw text and the reasons from `rejects`.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { CallResult, DetailField, DetailRecord } from '../../contract/index.ts';
import { queryRows } from '../../duckdb/open.ts';
import { ReconError } from '../../errors/recon-error.ts';
import { ident } from '../../sql/quote.ts';
import type { RunFile } from '../run-file.ts';
import { breakByIdSql, breaksOfKeySql, toBreakRow } from './sql.ts';
import { RUN_TABLES } from '../schema.ts';

type Detail = CallResult<'breaks.detail'>;

interface Column {
  name: string;
  type: string;
}

export async function readDetail(db: RunFile, breakId: number): Promise<Detail> {
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
    const records = await readRecords(db, c, brk, related, { a: colsA, b: colsB }, names);
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
      records,
    };
  });
}

type Brk = Detail['break'];

/** The rows the key's breaks name, both sides, in file order, each with its line, values and (rejected) reasons. */
async function readRecords(db: RunFile, c: DuckDBConnection, brk: Brk, related: Brk[], cols: Record<'a' | 'b', Column[]>, names: Column[]): Promise<DetailRecord[]> {
  const rids = { a: new Set<number>(), b: new Set<number>() };
  for (const r of [brk, ...related]) {
    if (r.ridA !== null) rids.a.add(r.ridA);
    if (r.ridB !== null) rids.b.add(r.ridB);
  }
  const lines = await hasTable(db, c, RUN_TABLES.lineMap);
  const fieldOf = await columnFields(db, c);
  const rejectRids = (await tableColumnNames(db, c, 'rejects')).has('rid');
  const out: DetailRecord[] = [];
  for (const side of ['a', 'b'] as const) {
    const own = cols[side];
    const present = await tableColumnNames(db, c, side);
    const bad = present.has('__bad') ? 'coalesce(__bad, false)' : 'false';
    const raw = present.has('__raw') ? '__raw' : 'NULL';
    for (const rid of [...rids[side]].sort((x, y) => x - y).slice(0, 100)) {
      const rows = await queryRows<Record<string, unknown>>(
        c,
        `SELECT ${[...own.map((col, i) => `CAST(${ident(col.name)} AS VARCHAR) AS c${i}`), '__key_text AS k', `${bad} AS bad`, `${raw} AS raw`].join(', ')}
           FROM ${side} WHERE __rid = $1 LIMIT 1`,
        [rid],
      );
      const row = rows[0];
      if (row === undefined) continue;
      const rejected = row['bad'] === true;
      const rawText = Array.isArray(row['raw']) ? (row['raw'] as (string | null)[]) : null;
      const byName = new Map(own.map((col, i): [string, string | null] => [col.name, rejected && rawText ? (rawText[i] ?? null) : ((row[`c${i}`] as string | null) ?? null)]));
      const problems = rejected && rejectRids ? await readRejectReasons(c, side, rid) : [];
      const where = lines ? await lineOf(c, side, rid) : null;
      out.push({
        side,
        rid,
        line: where?.line ?? problems.find((p) => p.line !== null)?.line ?? rid + 1,
        lineLabel: where?.label ?? (problems.some((p) => p.line !== null) ? 'line' : 'record'),
        keyText: (row['k'] as string | null) ?? null,
        current: (side === 'a' ? brk.ridA : brk.ridB) === rid,
        rejected,
        values: names.map((col) => byName.get(col.name) ?? null),
        problems: problems.map(({ column, rawValue, reason }) => ({ column, field: column === null ? null : (fieldOf(side, column) ?? null), rawValue, reason })),
      });
    }
  }
  return out;
}

/** The field a source column feeds, from the run's definition (a field's B column may have another name; unlisted fields keep the column's). */
async function columnFields(db: RunFile, c: DuckDBConnection): Promise<(side: 'a' | 'b', column: string) => string | undefined> {
  let fields = db.memo.get('definition-fields') as { name: string; b?: string }[] | undefined;
  if (fields === undefined) {
    const rows = await queryRows<{ f: string | null }>(c, `SELECT CAST(json_extract(definition, '$.fields') AS VARCHAR) AS f FROM ${RUN_TABLES.runInfo} LIMIT 1`);
    const parsed = rows[0]?.f ? (JSON.parse(rows[0].f) as unknown) : [];
    fields = Array.isArray(parsed) ? (parsed as { name: string; b?: string }[]).filter((f) => typeof f?.name === 'string') : [];
    db.memo.set('definition-fields', fields);
  }
  const list = fields;
  return (side, column) => {
    const lower = column.toLowerCase();
    const f = list.find((x) => (side === 'b' && typeof x.b === 'string' ? x.b : x.name).toLowerCase() === lower);
    return f?.name ?? column;
  };
}

/** The line (or sheet row) of a staged row, from the run's line map. */
async function lineOf(c: DuckDBConnection, side: 'a' | 'b', rid: number): Promise<{ line: number; label: 'line' | 'row' } | null> {
  const rows = await queryRows<{ line: string; label: string }>(
    c,
    `SELECT CAST($2 AS BIGINT) + line_offset AS line, label FROM ${RUN_TABLES.lineMap} WHERE side = $1 AND rid <= $2 ORDER BY rid DESC LIMIT 1`,
    [side, rid],
  );
  const r = rows[0];
  return r === undefined ? null : { line: Number(r.line), label: r.label === 'row' ? 'row' : 'line' };
}

async function readRejectReasons(c: DuckDBConnection, side: 'a' | 'b', rid: number): Promise<{ column: string | null; rawValue: string | null; reason: string; line: number | null }[]> {
  const rows = await queryRows<{ column_name: string | null; raw_value: string | null; reason: string; line: string | null }>(
    c,
    `SELECT column_name, raw_value, reason, line FROM ${RUN_TABLES.rejects} WHERE side = $1 AND rid = $2 ORDER BY column_name LIMIT 50`,
    [side, rid],
  );
  return rows.map((r) => ({ column: r.column_name, rawValue: r.raw_value, reason: r.reason, line: r.line === null ? null : Number(r.line) }));
}

/** Column names of a table or view in the run file (memoized per open run: the file is read-only). */
async function tableColumnNames(db: RunFile, c: DuckDBConnection, table: string): Promise<Set<string>> {
  const key = `columns:${table}`;
  const cached = db.memo.get(key) as Set<string> | undefined;
  if (cached) return cached;
  const rows = await queryRows<{ column_name: string }>(
    c,
    `SELECT column_name FROM duckdb_columns() WHERE database_name = current_database() AND schema_name = 'main' AND table_name = $1`,
    [table],
  );
  const names = new Set(rows.map((r) => r.column_name));
  db.memo.set(key, names);
  return names;
}

async function hasTable(db: RunFile, c: DuckDBConnection, table: string): Promise<boolean> {
  return (await tableColumnNames(db, c, table)).size > 0;
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
  const rows = await queryRows<{ k: string | null }>(c, `SELECT CAST(json_extract(definition, '$.key') AS VARCHAR) AS k FROM ${RUN_TABLES.runInfo} LIMIT 1`);
  const parsed = rows[0]?.k ? (JSON.parse(rows[0].k) as unknown) : [];
  return new Set(Array.isArray(parsed) ? parsed.map((k) => String(k).toLowerCase()) : []);
}

async function readTopFeatures(c: DuckDBConnection, breakId: number): Promise<unknown> {
  const rows = await queryRows<{ f: string | null }>(c, `SELECT CAST(top_features AS VARCHAR) AS f FROM ${RUN_TABLES.attributions} WHERE break_id = $1`, [breakId]);
  const text = rows[0]?.f;
  if (text === null || text === undefined) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
