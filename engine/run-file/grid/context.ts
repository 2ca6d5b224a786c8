/**
 * Record context in the grid: any field of a break's record, from side A or
 * B, as a grid column (`ctx:a:Currency`). The records are the run file's
 * views `a`/`b`; a break points at its pair by `rid_a`/`rid_b`. A name from a
 * request is checked against the fields the run file has, then quoted, so it
 * never reaches SQL text unchecked.
 *
 * Sorting, filtering and the quick filter on a context column build the
 * view with `a`/`b` left-joined once (one hash join over the records); a page
 * then reads the values of its own rows only: the page's rids joined to the
 * records, the rid range given so DuckDB skips the rest of the file.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { BreakRow, ContextColumn, GridColumn, RecordField } from '../../contract/index.ts';
import { queryRows } from '../../duckdb/open.ts';
import { ReconError } from '../../errors/recon-error.ts';
import { ident } from '../../sql/quote.ts';
import type { RunFile } from '../run-file.ts';
import { RUN_TABLES } from '../schema.ts';

type Side = 'a' | 'b';

const NUMERIC = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|REAL|DECIMAL(\(\d+,\s*\d+\))?)$/i;

/** The records' fields (views a and b, without the engine's own `__` columns), in the order of A's columns then B's own. */
export async function recordFields(db: RunFile): Promise<RecordField[]> {
  const cached = db.memo.get('recordFields') as RecordField[] | undefined;
  if (cached !== undefined) return cached;
  const rows = await db.run((c) =>
    queryRows<{ table_name: string; column_name: string; data_type: string }>(
      c,
      `SELECT table_name, column_name, data_type FROM duckdb_columns()
        WHERE database_name = current_database() AND schema_name = 'main' AND table_name IN ('${RUN_TABLES.a}', '${RUN_TABLES.b}') AND NOT starts_with(column_name, '__')
        ORDER BY table_name, column_index`,
    ),
  );
  const byName = new Map<string, RecordField>();
  for (const r of rows) {
    const f = byName.get(r.column_name) ?? { name: r.column_name, type: r.data_type, numeric: NUMERIC.test(r.data_type), sides: [] };
    f.sides.push(r.table_name as Side);
    byName.set(r.column_name, f);
  }
  const fields = [...byName.values()];
  db.memo.set('recordFields', fields);
  return fields;
}

export const isContextColumn = (col: string): col is ContextColumn => col.startsWith('ctx:');

/** `ctx:a:Currency` → side and field name. */
export function parseContextColumn(col: ContextColumn): { side: Side; field: string } {
  return { side: col[4] as Side, field: col.slice(6) };
}

/** The record-context columns of one request: checked names, their SQL, and the joins they need. */
export class ContextSql {
  readonly #fields: Map<string, RecordField>;
  readonly #used = new Set<Side>();

  private constructor(fields: readonly RecordField[]) {
    this.#fields = new Map(fields.map((f) => [f.name, f]));
  }

  /** Checks every context column the request names (sort, filters, returned columns). */
  static async of(db: RunFile, columns: Iterable<string>): Promise<ContextSql> {
    const ctx = new ContextSql(await recordFields(db));
    for (const col of columns) if (isContextColumn(col)) ctx.#field(col);
    return ctx;
  }

  #field(col: ContextColumn): { side: Side; field: RecordField } {
    const { side, field } = parseContextColumn(col);
    const f = this.#fields.get(field);
    if (f === undefined || !f.sides.includes(side)) {
      throw new ReconError('INVALID_ARGUMENT', `the records of side ${side.toUpperCase()} have no field "${field}"`, {
        column: col,
        fields: [...this.#fields.values()].filter((x) => x.sides.includes(side)).map((x) => x.name),
      });
    }
    return { side, field: f };
  }

  /** The typed value of a context column (NULL when the break has no record on that side); marks its side's join as needed. */
  expr(col: ContextColumn): string {
    const { side, field } = this.#field(col);
    this.#used.add(side);
    return `c${side}.${ident(field.name)}`;
  }

  numeric(col: ContextColumn): boolean {
    return this.#field(col).field.numeric;
  }

  /** Left joins of the records the expressions handed out so far read. */
  joins(): string {
    return [...this.#used]
      .sort()
      .map((s) => `LEFT JOIN ${s} c${s} ON c${s}.__rid = b.rid_${s}`)
      .join(' ');
  }

  /** Adds `row.context` for `columns`: one small join per side, on the rows' own rids. */
  async attach(c: DuckDBConnection, columns: readonly ContextColumn[], rows: BreakRow[]): Promise<BreakRow[]> {
    if (columns.length === 0 || rows.length === 0) return rows;
    const values = new Map<string, Map<number, string | null>>();
    for (const side of ['a', 'b'] as const) {
      const cols = columns.filter((col) => parseContextColumn(col).side === side);
      const rids = [...new Set(rows.map((r) => (side === 'a' ? r.ridA : r.ridB)).filter((x): x is number => x !== null))];
      if (cols.length === 0 || rids.length === 0) continue;
      const select = cols.map((col, i) => `CAST(${this.expr(col)} AS VARCHAR) AS v${i}`).join(', ');
      const found = await queryRows<Record<string, string | null>>(
        c,
        `SELECT c${side}.__rid AS rid, ${select}
           FROM (SELECT CAST(unnest(string_split($1, ',')) AS BIGINT) AS rid) r
           JOIN ${side} c${side} ON c${side}.__rid = r.rid
          WHERE c${side}.__rid BETWEEN $2 AND $3`,
        [rids.join(','), Math.min(...rids), Math.max(...rids)],
      );
      cols.forEach((col, i) => values.set(col, new Map(found.map((f) => [Number(f['rid']), f[`v${i}`] ?? null]))));
    }
    return rows.map((r) => {
      const context: Record<string, string | null> = {};
      for (const col of columns) {
        const rid = parseContextColumn(col).side === 'a' ? r.ridA : r.ridB;
        context[col] = rid === null ? null : (values.get(col)?.get(rid) ?? null);
      }
      return { ...r, context };
    });
  }
}

/** The columns a request sorts or filters on, and those it returns. */
export function requestColumns(args: { sortModel: { colId: GridColumn }[]; filterModel: object; context: readonly string[] }): string[] {
  return [...args.sortModel.map((s) => s.colId), ...Object.keys(args.filterModel), ...args.context];
}
