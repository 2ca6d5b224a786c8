import type { DuckDBConnection } from '@duckdb/node-api';
import type { ResolvedDefinition, ResolvedField } from '../definition/resolve.ts';
import { queryRows } from '../duckdb/open.ts';
import { ident } from '../sql/quote.ts';
import type { CheckResult, SideInputs } from './integrity.ts';

/** A decimal field's staged total in one currency, A against B. */
export interface ControlTotal {
  field: string;
  currency: string;
  a: string;
  b: string;
  difference: string;
}

/** One side's staged total of a decimal field in one currency ('ALL' without a currency field). */
export interface SideControlTotal {
  field: string;
  currency: string;
  side: 'a' | 'b';
  staged: string;
}

/** `discrepancy` is staged − read; the money in rejected rows is read − staged. */
const negated = (decimalText: string): string => (decimalText.startsWith('-') ? decimalText.slice(1) : `-${decimalText}`);

/**
 * Sum of each decimal field per currency: every loaded row whose amount
 * parsed (the source as read) against the rows staged for the compare. Rows
 * rejected for another column show up here as money left out of the compare.
 * The staged table keeps rejected rows (flagged `__bad`) with their typed
 * values, so both totals come from one scan without re-parsing text.
 */
export async function controlTotalChecks(
  conn: DuckDBConnection,
  resolved: ResolvedDefinition,
  s: SideInputs,
): Promise<{ checks: CheckResult[]; totals: SideControlTotal[] }> {
  const decimals = resolved.fields.filter((f) => f.type === 'decimal');
  if (decimals.length === 0) return { checks: [], totals: [] };
  const side = s.loaded.side;
  const ccy = resolved.currencyField ? `coalesce(${ident(resolved.currencyField.name)}, '(none)')` : `'ALL'`;
  const sums = decimals.flatMap((f, i) => [
    `CAST(coalesce(sum(${ident(f.name)}), 0) AS VARCHAR) AS e${i}`,
    `CAST(coalesce(sum(${ident(f.name)}) FILTER (WHERE NOT __bad), 0) AS VARCHAR) AS a${i}`,
    `CAST(coalesce(sum(${ident(f.name)}) FILTER (WHERE NOT __bad), 0) - coalesce(sum(${ident(f.name)}), 0) AS VARCHAR) AS d${i}`,
  ]);
  const rows = s.controlTotalRows
    ? await s.controlTotalRows(decimals, resolved.currencyField)
    : s.onCluster?.totalsTable
      ? await queryRows<Record<string, string>>(conn, clusterTotalsSql(decimals, ccy, s.staged.table, s.onCluster.totalsTable))
      : await queryRows<Record<string, string>>(conn, `SELECT ${ccy} AS ccy, ${sums.join(', ')} FROM ${s.staged.table} GROUP BY 1 ORDER BY 1`);
  const results: CheckResult[] = [];
  const totals: SideControlTotal[] = [];
  decimals.forEach((f, i) => {
    for (const r of rows) {
      const expected = r[`e${i}`] ?? '0';
      const actual = r[`a${i}`] ?? '0';
      const d = r[`d${i}`] ?? '0';
      const passed = expected === actual;
      totals.push({ field: f.name, currency: r['ccy'] ?? 'ALL', side, staged: actual });
      results.push({
        name: `control_total_${side}_${f.name}_${r['ccy']}`,
        type: 'AMOUNT_TOTAL',
        side,
        expected,
        actual,
        passed,
        discrepancy: d,
        message: passed
          ? `${side.toUpperCase()} ${f.name} ${r['ccy']}: ${actual} read and staged`
          : `${side.toUpperCase()} ${f.name} ${r['ccy']}: ${expected} read but ${actual} staged; ${negated(d)} is in rejected rows`,
      });
    }
  });
  return { checks: results, totals };
}

/**
 * A cluster run's totals, in the shape and types of the local query above: what was read is the workstation's
 * staging (every row whose amount parsed, rejected ones included), what was staged for the compare is what the
 * cluster holds (its rows' sums, clickhouse/cluster-checks.ts), so a row the cluster lost or gained shows.
 */
function clusterTotalsSql(decimals: readonly ResolvedField[], ccy: string, staged: string, clusterTotals: string): string {
  const type = (f: ResolvedField): string => `DECIMAL(38, ${f.scale})`;
  const parts = [
    `SELECT ${ccy} AS ccy, ${decimals.map((f, i) => `sum(${ident(f.name)}) AS r${i}, NULL::${type(f)} AS c${i}`).join(', ')} FROM ${staged} GROUP BY 1`,
    `SELECT ccy, ${decimals.map((f, i) => `NULL::${type(f)} AS r${i}, CAST(s${i} AS ${type(f)}) AS c${i}`).join(', ')} FROM ${clusterTotals}`,
  ];
  const cols = decimals.flatMap((_, i) => [
    `CAST(coalesce(sum(r${i}), 0) AS VARCHAR) AS e${i}`,
    `CAST(coalesce(sum(c${i}), 0) AS VARCHAR) AS a${i}`,
    `CAST(coalesce(sum(c${i}), 0) - coalesce(sum(r${i}), 0) AS VARCHAR) AS d${i}`,
  ]);
  return `SELECT ccy, ${cols.join(', ')} FROM (${parts.join(' UNION ALL ')}) GROUP BY 1 ORDER BY 1`;
}

/** Both sides' totals per field and currency, B − A exactly; a currency on one side only counts 0 on the other. */
export function pairControlTotals(totals: readonly SideControlTotal[]): ControlTotal[] {
  const paired = new Map<string, ControlTotal>();
  for (const t of totals) {
    const key = `${t.field}\u0000${t.currency}`;
    const p = paired.get(key) ?? { field: t.field, currency: t.currency, a: '0', b: '0', difference: '0' };
    p[t.side] = t.staged;
    paired.set(key, p);
  }
  return [...paired.values()].map((t) => ({ ...t, difference: subtractDecimal(t.b, t.a) }));
}

/** Exact b − a for decimal strings, without floats. */
export function subtractDecimal(b: string, a: string): string {
  const scale = Math.max(decimals(a), decimals(b));
  const toInt = (v: string): bigint => {
    const neg = v.startsWith('-');
    const [i, f = ''] = v.replace(/^[-+]/, '').split('.');
    const n = BigInt((i || '0') + f.padEnd(scale, '0'));
    return neg ? -n : n;
  };
  const d = toInt(b) - toInt(a);
  const neg = d < 0n;
  const s = (neg ? -d : d).toString().padStart(scale + 1, '0');
  const out = scale > 0 ? `${s.slice(0, -scale)}.${s.slice(-scale)}` : s;
  return neg ? `-${out}` : out;
}

function decimals(v: string): number {
  const i = v.indexOf('.');
  return i < 0 ? 0 : v.length - i - 1;
}
