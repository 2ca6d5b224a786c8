import type { DuckDBConnection } from '@duckdb/node-api';
import type { ResolvedField } from '../definition/resolve.ts';
import { queryOne, queryRows, runWithProgress, type ProgressListener } from '../duckdb/open.ts';
import { fieldSql } from '../normalize/sql.ts';
import { decimalOfText, type WidePlan } from '../normalize/wide.ts';
import { literal } from '../sql/quote.ts';
import { beyondTolerance, comparedFields, deltaSql } from './sql.ts';
import { RUN_TABLES } from '../run-file/schema.ts';

/**
 * The field compare of a wide definition (normalize/wide.ts), after the
 * diff's own statements ran on the key-only views: every matched record pair
 * (both sides loaded, not rejected, key not duplicated on either side, as in
 * diff/sql.ts) has its values joined field by field, and only the values
 * that differ are kept, with their tolerance and delta from the same
 * SQL as diff/sql.ts. The values are the typed values' texts, equal exactly
 * when the typed values are; they are cast back to the field's type for
 * tolerances and deltas, and are the text `value_a`/`value_b` a regular
 * run gives.
 */

const C = (x: string): string => `__wide_${x}`;

interface Compared {
  f: ResolvedField;
  /** Index of the field in the definition: `ord` of its values in `<side>_vals`. */
  index: number;
  /** 1-based position among compared fields: the breaks' order within a key, and m/w index + 1. */
  ord: number;
}

function comparedOf(plan: WidePlan): Compared[] {
  const index = new Map(plan.resolved.fields.map((f, i) => [f, i]));
  return comparedFields(plan.resolved).map((f, k) => ({ f, index: index.get(f)!, ord: k + 1 }));
}

/** Builds `wide_diffs`: one row per differing compared value of a matched pair, `beyond` its tolerance or not. */
export async function wideCompare(conn: DuckDBConnection, plan: WidePlan, onProgress?: ProgressListener, signal?: AbortSignal): Promise<void> {
  const compared = comparedOf(plan);
  if (compared.length === 0) {
    await conn.run(
      `CREATE OR REPLACE TEMP TABLE wide_diffs (__key VARCHAR, rid_a BIGINT, rid_b BIGINT, ord INTEGER, field VARCHAR, field_type VARCHAR,
         value_a VARCHAR, value_b VARCHAR, beyond BOOLEAN, delta VARCHAR)`,
    );
    return;
  }
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE wide_pairs AS
     SELECT a.__key, a.__rid AS rid_a, b.__rid AS rid_b
       FROM (SELECT __key, __rid FROM a WHERE NOT __bad AND __key NOT IN (SELECT __key FROM ${RUN_TABLES.dupKeys})) a
       JOIN (SELECT __key, __rid FROM b WHERE NOT __bad AND __key NOT IN (SELECT __key FROM ${RUN_TABLES.dupKeys})) b ON a.__key = b.__key`,
  );
  // Fields whose tolerance and delta SQL are the same share one CASE branch.
  const groups = new Map<string, { id: number; beyond: string; delta: string }>();
  const groupOf = compared.map(({ f }) => {
    const type = fieldSql(f, 'a', {}).sqlType;
    const back = (v: string): string => (f.type === 'decimal' ? decimalOfText(v, f.scale) : `CAST(${v} AS ${type})`);
    const [x, y] = [back('c.x'), back('c.y')];
    const beyond = beyondTolerance(f, x, y);
    const delta = deltaSql(f, x, y);
    const sig = JSON.stringify([beyond, delta]);
    let g = groups.get(sig);
    if (!g) groups.set(sig, (g = { id: groups.size, beyond, delta }));
    return g.id;
  });
  const list = (xs: readonly (string | number)[]): string => `[${xs.join(', ')}]`;
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE ${C('fields')} AS
     SELECT unnest(${list(compared.map((c) => c.index))})::INTEGER AS value_ord, unnest(${list(compared.map((c) => c.ord))})::INTEGER AS ord,
            unnest(${list(compared.map((c) => literal(c.f.name)))}) AS field, unnest(${list(compared.map((c) => literal(c.f.type)))}) AS field_type,
            unnest(${list(groupOf)})::INTEGER AS g`,
  );
  const cases = [...groups.values()];
  const byGroup = (pick: (g: (typeof cases)[number]) => string): string =>
    cases.length === 1 ? pick(cases[0]!) : `(CASE m.g ${cases.map((g) => `WHEN ${g.id} THEN ${pick(g)}`).join(' ')} END)`;
  await runWithProgress(
    conn,
    `CREATE OR REPLACE TEMP TABLE wide_diffs AS
     SELECT c.__key, c.rid_a, c.rid_b, m.ord, m.field, m.field_type, c.x AS value_a, c.y AS value_b,
            ${byGroup((g) => g.beyond)} AS beyond, ${byGroup((g) => g.delta)} AS delta
       FROM (SELECT p.__key, p.rid_a, p.rid_b, va.ord AS value_ord, va.v AS x, vb.v AS y
               FROM wide_pairs p
               JOIN a_vals va ON va.rid = p.rid_a
               JOIN b_vals vb ON vb.rid = p.rid_b AND vb.ord = va.ord
              WHERE va.v IS DISTINCT FROM vb.v) c
       JOIN ${C('fields')} m USING (value_ord)`,
    onProgress,
    signal,
  );
}

/**
 * Adds the MISMATCH breaks of `wide_diffs` to `breaks` and numbers all breaks
 * again in the diff's order (key, field order, side, record), the breaks
 * already there keeping their order among themselves: with no compared field
 * of its own, every break the diff wrote is a whole-record one (order 0).
 */
export async function mergeWideBreaks(conn: DuckDBConnection): Promise<void> {
  await conn.run(
    `CREATE OR REPLACE TABLE ${RUN_TABLES.breaks} AS
     SELECT row_number() OVER (ORDER BY key, ${C('ord')}, side, coalesce(rid_a, rid_b), ${C('old')}) AS break_id, * EXCLUDE (${C('ord')}, ${C('old')})
       FROM (SELECT * EXCLUDE (break_id), 0 AS ${C('ord')}, break_id AS ${C('old')} FROM ${RUN_TABLES.breaks}
             UNION ALL BY NAME
             SELECT __key AS key, field, 'MISMATCH' AS diff_type, NULL::VARCHAR AS side, value_a, value_b, delta, field_type,
                    rid_a, rid_b, ord AS ${C('ord')}, NULL::BIGINT AS ${C('old')}
               FROM wide_diffs WHERE beyond)`,
  );
}

/**
 * The per-field counts of fieldStatsSql for a wide run: `matched` from the
 * diff's own statistics of the key-only views, the rest from `wide_diffs`.
 */
export async function wideFieldStats(conn: DuckDBConnection, plan: WidePlan, base: Record<string, string>): Promise<Record<string, string>> {
  const compared = comparedOf(plan);
  const pairs = await queryOne<{ with_breaks: string; within_only: string }>(
    conn,
    `SELECT count(*) FILTER (WHERE m) AS with_breaks, count(*) FILTER (WHERE w AND NOT m) AS within_only
       FROM (SELECT rid_a, rid_b, bool_or(beyond) AS m, bool_or(NOT beyond) AS w FROM wide_diffs GROUP BY rid_a, rid_b)`,
  );
  const perField = await queryRows<{ ord: number; m: string; w: string }>(
    conn,
    `SELECT ord, count(*) FILTER (WHERE beyond) AS m, count(*) FILTER (WHERE NOT beyond) AS w FROM wide_diffs GROUP BY ord`,
  );
  const out: Record<string, string> = { ...base, with_breaks: pairs.with_breaks, within_only: pairs.within_only };
  for (const c of compared) {
    out[`m${c.ord - 1}`] = '0';
    out[`w${c.ord - 1}`] = '0';
  }
  for (const r of perField) {
    out[`m${r.ord - 1}`] = r.m;
    out[`w${r.ord - 1}`] = r.w;
  }
  return out;
}
