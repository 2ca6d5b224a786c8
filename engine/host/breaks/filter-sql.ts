/**
 * AG Grid filter models → a parameterized SQL condition. Columns come from the
 * allowlist in sql.ts; every value is a parameter, so a filter value is data
 * whatever it contains. Text matching is case-insensitive, like AG Grid's.
 */
import type { BreakColumn, ColumnFilter, FilterModel } from '../../contract/index.ts';
import { missingCase } from '../../contract/guards.ts';
import { COLUMN_SQL, orderExpr, type Params } from './sql.ts';

type TextCondition = Extract<ColumnFilter, { filterType: 'text'; type: string }>;
type NumberCondition = Extract<ColumnFilter, { filterType: 'number'; type: string }>;

/** The WHERE condition for a filter model and quick filter ('' when nothing filters). */
export function whereSql(model: FilterModel, quickFilter: string | undefined, attr: boolean, params: Params): string {
  const parts: string[] = [];
  for (const col of Object.keys(model).sort() as BreakColumn[]) {
    const filter = model[col];
    if (filter !== undefined) parts.push(columnCondition(col, filter, attr, params));
  }
  const q = quickFilter?.trim() ?? '';
  if (q !== '') {
    const p = params.add(q.toLowerCase());
    parts.push(`(contains(lower(b.key), ${p}) OR contains(lower(coalesce(b.value_a, '')), ${p}) OR contains(lower(coalesce(b.value_b, '')), ${p}))`);
  }
  return parts.map((p) => `(${p})`).join(' AND ');
}

function columnCondition(col: BreakColumn, f: ColumnFilter, attr: boolean, params: Params): string {
  if (f.filterType === 'set') return setCondition(col, f.values, attr, params);
  if ('conditions' in f) {
    const conds = (f.conditions as (TextCondition | NumberCondition)[]).map((c) => columnCondition(col, c, attr, params));
    return conds.map((c) => `(${c})`).join(f.operator === 'OR' ? ' OR ' : ' AND ');
  }
  return f.filterType === 'text' ? textCondition(col, f, attr, params) : numberCondition(col, f, attr, params);
}

function setCondition(col: BreakColumn, values: (string | null)[], attr: boolean, params: Params): string {
  const x = `CAST(${COLUMN_SQL[col].expr(attr)} AS VARCHAR)`;
  const texts = values.filter((v): v is string => v !== null);
  const parts: string[] = [];
  if (texts.length > 0) parts.push(`${x} IN (${texts.map((v) => params.add(v)).join(', ')})`);
  if (texts.length < values.length) parts.push(`${x} IS NULL`);
  return parts.length === 0 ? 'FALSE' : parts.join(' OR ');
}

function textCondition(col: BreakColumn, c: TextCondition, attr: boolean, params: Params): string {
  const raw = COLUMN_SQL[col].expr(attr);
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

function numberCondition(col: BreakColumn, c: NumberCondition, attr: boolean, params: Params): string {
  const x = orderExpr(col, attr);
  const value = (n: number): string => params.add(n);
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
export function orderBySql(sort: { colId: BreakColumn; sort: 'asc' | 'desc' }[], attr: boolean): string {
  const keys: string[] = [];
  for (const s of sort) {
    const dir = s.sort === 'desc' ? 'DESC' : 'ASC';
    if (s.colId === 'breakId') return [...keys, `b.break_id ${dir}`].join(', ');
    keys.push(`${orderExpr(s.colId, attr)} ${dir} NULLS LAST`);
  }
  return [...keys, 'b.break_id ASC'].join(', ');
}
