/**
 * AG Grid filter models → a parameterized SQL condition. Columns come from the
 * allowlist in sql.ts; every value is a parameter, so a filter value is data
 * whatever it contains. Text matching is case-insensitive, like AG Grid's.
 */
import type { ColumnFilter, FilterModel, GridColumn } from '../../contract/index.ts';
import { missingCase } from '../../contract/guards.ts';
import { ReconError } from '../../errors/recon-error.ts';
import { isContextColumn, type ContextSql } from './context.ts';
import { COLUMN_SQL, orderExpr, type Params } from './sql.ts';

type TextCondition = Extract<ColumnFilter, { filterType: 'text'; type: string }>;
type NumberCondition = Extract<ColumnFilter, { filterType: 'number'; type: string }>;

/**
 * The WHERE condition for a filter model and quick filter ('' when nothing filters). Record-context columns
 * (`ctx:a:…`) take their SQL from `ctx`, which also searches `quickColumns` with the quick filter.
 */
export function whereSql(model: FilterModel, quickFilter: string | undefined, attr: boolean, params: Params, ctx?: ContextSql, quickColumns: readonly GridColumn[] = []): string {
  const parts: string[] = [];
  for (const col of Object.keys(model).sort() as GridColumn[]) {
    const filter = model[col];
    if (filter !== undefined) parts.push(columnCondition(col, filter, attr, params, ctx));
  }
  const q = quickFilter?.trim() ?? '';
  if (q !== '') {
    const p = params.add(q.toLowerCase());
    const more = quickColumns.map((col) => ` OR contains(lower(coalesce(CAST(${valueExpr(col, attr, ctx)} AS VARCHAR), '')), ${p})`).join('');
    parts.push(`(contains(lower(b.key), ${p}) OR contains(lower(coalesce(b.value_a, '')), ${p}) OR contains(lower(coalesce(b.value_b, '')), ${p})${more})`);
  }
  return parts.map((p) => `(${p})`).join(' AND ');
}

/** A column's value as the grid shows it. */
function valueExpr(col: GridColumn, attr: boolean, ctx: ContextSql | undefined): string {
  if (!isContextColumn(col)) return COLUMN_SQL[col].expr(attr);
  if (ctx === undefined) throw new Error(`no record context for column ${col}`);
  return ctx.expr(col);
}

/** What a column sorts by: a record field by its type (numbers as numbers, dates as dates). */
function sortExpr(col: GridColumn, attr: boolean, ctx: ContextSql | undefined): string {
  return isContextColumn(col) ? valueExpr(col, attr, ctx) : orderExpr(col, attr);
}

/** What a number filter compares: a record field that is not a number is read as one where it can be. */
function numberExpr(col: GridColumn, attr: boolean, ctx: ContextSql | undefined): string {
  if (!isContextColumn(col)) return orderExpr(col, attr);
  const x = valueExpr(col, attr, ctx);
  return ctx!.numeric(col) ? x : `TRY_CAST(CAST(${x} AS VARCHAR) AS DOUBLE)`;
}

function columnCondition(col: GridColumn, f: ColumnFilter, attr: boolean, params: Params, ctx: ContextSql | undefined): string {
  if (f.filterType === 'set') return setCondition(col, f.values, attr, params, ctx);
  if ('conditions' in f) {
    const conds = (f.conditions as (TextCondition | NumberCondition)[]).map((c) => columnCondition(col, c, attr, params, ctx));
    return conds.map((c) => `(${c})`).join(f.operator === 'OR' ? ' OR ' : ' AND ');
  }
  return f.filterType === 'text' ? textCondition(col, f, attr, params, ctx) : numberCondition(col, f, attr, params, ctx);
}

function setCondition(col: GridColumn, values: (string | null)[], attr: boolean, params: Params, ctx: ContextSql | undefined): string {
  const x = `CAST(${valueExpr(col, attr, ctx)} AS VARCHAR)`;
  const texts = values.filter((v): v is string => v !== null);
  const parts: string[] = [];
  if (texts.length > 0) parts.push(`${x} IN (${texts.map((v) => params.add(v)).join(', ')})`);
  if (texts.length < values.length) parts.push(`${x} IS NULL`);
  return parts.length === 0 ? 'FALSE' : parts.join(' OR ');
}

function textCondition(col: GridColumn, c: TextCondition, attr: boolean, params: Params, ctx: ContextSql | undefined): string {
  const raw = valueExpr(col, attr, ctx);
  const x = `lower(CAST(${raw} AS VARCHAR))`;
  const value = (): string => params.add((c.filter ?? '').toLowerCase());
  switch (c.type) {
    case 'blank':
    case 'empty':
      return `(${raw} IS NULL OR CAST(${raw} AS VARCHAR) = '')`;
    case 'notBlank':
      return `(${raw} IS NOT NULL AND CAST(${raw} AS VARCHAR) <> '')`;
    default:
      if (c.filter === null || c.filter === undefined) return 'TRUE';
  }
  switch (c.type) {
    case 'equals':
      return `${x} = ${value()}`;
    case 'notEqual':
      return `${x} <> ${value()}`;
    case 'contains':
      return `contains(${x}, ${value()})`;
    case 'notContains':
      return `NOT contains(coalesce(${x}, ''), ${value()})`;
    case 'startsWith':
      return `starts_with(${x}, ${value()})`;
    case 'endsWith':
      return `suffix(${x}, ${value()})`;
    default:
      return missingCase(c.type);
  }
}

/**
 * A filter number as a parameter. The database binds a whole JS number as a
 * 64-bit integer, so one at or beyond ±2^63, or one that is not finite, would
 * fail inside DuckDB as an internal error; the contract refuses them too, this
 * holds for callers that build filters without it.
 */
function filterNumber(col: GridColumn, n: number, params: Params): string {
  if (!Number.isFinite(n) || n < -(2 ** 63) || n >= 2 ** 63) {
    throw new ReconError('INVALID_ARGUMENT', `the ${col} filter's number ${String(n)} is out of range: a finite number from -2^63 to below 2^63`, { column: col, value: String(n) });
  }
  return params.add(n);
}

function numberCondition(col: GridColumn, c: NumberCondition, attr: boolean, params: Params, ctx: ContextSql | undefined): string {
  const x = numberExpr(col, attr, ctx);
  const value = (n: number): string => filterNumber(col, n, params);
  switch (c.type) {
    case 'blank':
    case 'empty':
      return `${x} IS NULL`;
    case 'notBlank':
      return `${x} IS NOT NULL`;
    default:
      if (c.filter === null || c.filter === undefined) return 'TRUE';
  }
  const v = c.filter;
  switch (c.type) {
    case 'equals':
      return `${x} = ${value(v)}`;
    case 'notEqual':
      return `${x} <> ${value(v)}`;
    case 'lessThan':
      return `${x} < ${value(v)}`;
    case 'lessThanOrEqual':
      return `${x} <= ${value(v)}`;
    case 'greaterThan':
      return `${x} > ${value(v)}`;
    case 'greaterThanOrEqual':
      return `${x} >= ${value(v)}`;
    case 'inRange':
      return c.filterTo === null || c.filterTo === undefined ? `${x} >= ${value(v)}` : `${x} BETWEEN ${value(v)} AND ${value(c.filterTo)}`;
    default:
      return missingCase(c.type);
  }
}

/** ORDER BY for a sort model; break_id last so every order is total and stable. */
export function orderBySql(sort: { colId: GridColumn; sort: 'asc' | 'desc' }[], attr: boolean, ctx?: ContextSql): string {
  const keys: string[] = [];
  for (const s of sort) {
    const dir = s.sort === 'desc' ? 'DESC' : 'ASC';
    if (s.colId === 'breakId') return [...keys, `b.break_id ${dir}`].join(', ');
    keys.push(`${sortExpr(s.colId, attr, ctx)} ${dir} NULLS LAST`);
  }
  return [...keys, 'b.break_id ASC'].join(', ');
}
