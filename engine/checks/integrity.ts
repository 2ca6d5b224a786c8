import type { DuckDBConnection } from '@duckdb/node-api';
import type { ResolvedDefinition } from '../definition/resolve.ts';
import type { SourceOptions } from '../definition/schema.ts';
import { queryRows } from '../duckdb/open.ts';
import type { LoadedSource } from '../ingest/load-source.ts';
import { fieldSql } from '../normalize/sql.ts';
import { rawKeyTextSql, type StagedSource } from '../normalize/stage.ts';
import { ident, literal } from '../sql/quote.ts';

/**
 * Integrity checks after seed 004: each records expected, actual, passed and
 * discrepancy, so a run can prove that every input row is accounted for.
 */
export type CheckType = 'COUNT' | 'UNIQUENESS' | 'AMOUNT_TOTAL' | 'HASH';

export interface CheckResult {
  name: string;
  type: CheckType;
  side: 'a' | 'b';
  expected: string;
  actual: string;
  passed: boolean;
  discrepancy: string | null;
  message: string;
}

export interface SideInputs {
  loaded: LoadedSource;
  staged: StagedSource;
  source: SourceOptions;
}

export const CHECKS_DDL = `
CREATE TABLE IF NOT EXISTS checks (
  name VARCHAR NOT NULL, type VARCHAR NOT NULL, side VARCHAR NOT NULL,
  expected VARCHAR, actual VARCHAR, passed BOOLEAN NOT NULL, discrepancy VARCHAR, message VARCHAR
)`;

/** Runs every check for both sides and stores them in the `checks` table. */
export async function runIntegrityChecks(
  conn: DuckDBConnection,
  resolved: ResolvedDefinition,
  sides: readonly SideInputs[],
): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const s of sides) {
    results.push(countCheck(s));
    results.push(...(await uniquenessCheck(conn, s)));
    results.push(...(await controlTotalChecks(conn, resolved, s)));
    results.push(await keyHashCheck(conn, resolved, s));
  }
  await conn.run(CHECKS_DDL);
  await conn.run('DELETE FROM checks');
  for (const r of results) {
    await conn.run('INSERT INTO checks VALUES ($1, $2, $3, $4, $5, $6, $7, $8)', [
      r.name,
      r.type,
      r.side,
      r.expected,
      r.actual,
      r.passed,
      r.discrepancy,
      r.message,
    ]);
  }
  return results;
}

function countCheck({ loaded, staged }: SideInputs): CheckResult {
  const rejected = loaded.structuralRejects + staged.rejected;
  const actual = staged.staged + rejected;
  const passed = actual === loaded.sourceRecords;
  const side = loaded.side.toUpperCase();
  return {
    name: `source_rows_${loaded.side}`,
    type: 'COUNT',
    side: loaded.side,
    expected: String(loaded.sourceRecords),
    actual: String(actual),
    passed,
    discrepancy: String(actual - loaded.sourceRecords),
    message: passed
      ? `${side}: ${loaded.sourceRecords} source rows = ${staged.staged} staged + ${rejected} rejected`
      : `${side}: ${loaded.sourceRecords} source rows but ${staged.staged} staged + ${rejected} rejected`,
  };
}

async function uniquenessCheck(conn: DuckDBConnection, { loaded }: SideInputs): Promise<CheckResult[]> {
  const [row] = await queryRows<{ keys: string; rows: string }>(
    conn,
    `SELECT count(*) AS keys, coalesce(sum(n), 0) AS rows FROM dup_keys WHERE side = $1`,
    [loaded.side],
  );
  const keys = Number(row?.keys ?? 0);
  const rows = Number(row?.rows ?? 0);
  return [
    {
      name: `key_unique_${loaded.side}`,
      type: 'UNIQUENESS',
      side: loaded.side,
      expected: '0',
      actual: String(rows),
      passed: rows === 0,
      discrepancy: String(rows),
      message: rows === 0 ? `${loaded.side.toUpperCase()}: every key is unique` : `${loaded.side.toUpperCase()}: ${keys} key(s) appear on ${rows} rows`,
    },
  ];
}

/**
 * Sum of each decimal field per currency: the source as read (every loaded
 * row whose amount parses) against what was staged for the compare. Rows
 * rejected for another column show up here as money left out.
 */
async function controlTotalChecks(conn: DuckDBConnection, resolved: ResolvedDefinition, s: SideInputs): Promise<CheckResult[]> {
  const decimals = resolved.fields.filter((f) => f.type === 'decimal');
  if (decimals.length === 0) return [];
  const side = s.loaded.side;
  const ccy = resolved.currencyField;
  const rawCol = (c: string): string => `r.${ident(c)}`;
  const ccyRaw = ccy ? (() => {
    const sql = fieldSql(ccy, side, s.source);
    return `coalesce(${sql.typed(sql.text(sql.clean(rawCol(side === 'a' ? ccy.aColumn : ccy.bColumn))))}, '(none)')`;
  })() : `'ALL'`;
  const ccyStaged = ccy ? `coalesce(${ident(ccy.name)}, '(none)')` : `'ALL'`;
  const results: CheckResult[] = [];
  for (const f of decimals) {
    const sql = fieldSql(f, side, s.source);
    const rawAmount = sql.typed(sql.text(sql.clean(rawCol(side === 'a' ? f.aColumn : f.bColumn))));
    const rows = await queryRows<{ ccy: string; expected: string | null; actual: string | null }>(
      conn,
      `WITH src AS (SELECT ${ccyRaw} AS ccy, sum(${rawAmount}) AS total FROM ${s.loaded.rawTable} r GROUP BY 1),
            stg AS (SELECT ${ccyStaged} AS ccy, sum(${ident(f.name)}) AS total FROM ${s.staged.table} WHERE NOT __bad GROUP BY 1)
       SELECT coalesce(src.ccy, stg.ccy) AS ccy, CAST(coalesce(src.total, 0) AS VARCHAR) AS expected,
              CAST(coalesce(stg.total, 0) AS VARCHAR) AS actual
         FROM src FULL OUTER JOIN stg ON src.ccy = stg.ccy ORDER BY 1`,
    );
    const diffs = await queryRows<{ ccy: string; d: string }>(
      conn,
      `SELECT ccy, CAST(CAST(actual AS DECIMAL(38, ${f.scale})) - CAST(expected AS DECIMAL(38, ${f.scale})) AS VARCHAR) AS d
         FROM (VALUES ${rows.map((r) => `(${literal(r.ccy)}, ${literal(r.expected ?? '0')}, ${literal(r.actual ?? '0')})`).join(', ') || "('ALL','0','0')"}) t(ccy, expected, actual)`,
    );
    for (const r of rows) {
      const d = diffs.find((x) => x.ccy === r.ccy)?.d ?? '0';
      const passed = Number(d) === 0;
      results.push({
        name: `control_total_${side}_${f.name}_${r.ccy}`,
        type: 'AMOUNT_TOTAL',
        side,
        expected: r.expected ?? '0',
        actual: r.actual ?? '0',
        passed,
        discrepancy: d,
        message: `${side.toUpperCase()} ${f.name} ${r.ccy}: source ${r.expected} vs staged ${r.actual}`,
      });
    }
  }
  return results;
}

/** Order-independent hash of the key as the file spells it: all loaded rows against the staged table. */
async function keyHashCheck(conn: DuckDBConnection, resolved: ResolvedDefinition, { loaded, staged }: SideInputs): Promise<CheckResult> {
  const [row] = await queryRows<{ expected: string; actual: string }>(
    conn,
    `SELECT (SELECT CAST(coalesce(sum(hash(__key_text)::HUGEINT), 0) % 18446744073709551616 AS VARCHAR) FROM ${staged.table}) AS actual,
            (SELECT CAST(coalesce(sum(hash(k)::HUGEINT), 0) % 18446744073709551616 AS VARCHAR)
               FROM (SELECT ${rawKeyTextSql(resolved, loaded.side)} AS k FROM ${loaded.rawTable})) AS expected`,
  );
  const expected = row?.expected ?? '0';
  const actual = row?.actual ?? '0';
  return {
    name: `key_hash_${loaded.side}`,
    type: 'HASH',
    side: loaded.side,
    expected,
    actual,
    passed: expected === actual,
    discrepancy: null,
    message: expected === actual ? `${loaded.side.toUpperCase()}: key hash of source and staged rows agree` : `${loaded.side.toUpperCase()}: key hash differs between source and staged rows`,
  };
}

