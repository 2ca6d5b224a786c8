/**
 * breaks.largest: the largest differences on decimal fields, never mixing
 * currencies. With a currency field mapped (the definition's `currencyField`,
 * else a field named currency/ccy, as the control totals do), each break
 * takes its record's currency (A's, else B's) and the differences are ranked
 * within each currency; without one there is a single group. The run file is
 * read-only, so the answer is kept for the open run.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { CallResult } from '../../contract/index.ts';
import { queryRows } from '../../duckdb/open.ts';
import { ident } from '../../sql/quote.ts';
import type { RunFile } from '../run-file.ts';
import { RUN_TABLES } from '../schema.ts';

type Largest = CallResult<'breaks.largest'>;

const CURRENCY_NAME = /^(ccy|currency|curr|cur|currency_code|ccy_code)$/i;

export async function readLargest(db: RunFile, perCurrency: number): Promise<Largest> {
  const key = `largest:${perCurrency}`;
  const cached = db.memo.get(key) as Largest | undefined;
  if (cached) return cached;
  const result = await db.run(async (c) => {
    const currency = await currencyColumn(c);
    const ccy = currency ? `CAST(coalesce(ra.${ident(currency)}, rb.${ident(currency)}) AS VARCHAR)` : 'NULL::VARCHAR';
    const joins = currency ? 'LEFT JOIN a ra ON ra.__rid = b.rid_a LEFT JOIN b rb ON rb.__rid = b.rid_b' : '';
    const rows = await queryRows<{ ccy: string | null; n: string; break_id: string; key: string; field: string; value_a: string | null; value_b: string | null; delta: string }>(
      c,
      `WITH d AS (SELECT b.break_id, b.key, b.field, b.value_a, b.value_b, b.delta, ${ccy} AS ccy, abs(TRY_CAST(b.delta AS DOUBLE)) AS size
                    FROM (SELECT * FROM ${RUN_TABLES.breaks} WHERE field_type = 'decimal' AND delta IS NOT NULL) b ${joins}),
            ranked AS (SELECT *, row_number() OVER (PARTITION BY ccy ORDER BY size DESC NULLS LAST, break_id) AS pos, count(*) OVER (PARTITION BY ccy) AS n FROM d)
       SELECT ccy, n, break_id, key, field, value_a, value_b, delta FROM ranked WHERE pos <= $1 ORDER BY ccy NULLS LAST, pos`,
      [perCurrency],
    );
    const groups: Largest['groups'] = [];
    for (const r of rows) {
      let g = groups.at(-1);
      if (g === undefined || g.currency !== r.ccy) {
        g = { currency: r.ccy, breaks: Number(r.n), top: [] };
        groups.push(g);
      }
      g.top.push({ breakId: Number(r.break_id), key: r.key, field: r.field, valueA: r.value_a, valueB: r.value_b, delta: r.delta });
    }
    return { currencyField: currency ?? null, groups };
  });
  db.memo.set(key, result);
  return result;
}

/** The currency field, when the run has one on both sides. */
async function currencyColumn(c: DuckDBConnection): Promise<string | undefined> {
  const info = await queryRows<{ f: string | null }>(c, `SELECT CAST(json_extract_string(definition, '$.currencyField') AS VARCHAR) AS f FROM ${RUN_TABLES.runInfo} LIMIT 1`);
  const wanted = info[0]?.f ?? null;
  const cols = await queryRows<{ t: string; col: string; type: string }>(
    c,
    `SELECT table_name AS t, column_name AS col, data_type AS type FROM duckdb_columns()
      WHERE database_name = current_database() AND schema_name = 'main' AND table_name IN ('${RUN_TABLES.a}', '${RUN_TABLES.b}') ORDER BY column_index`,
  );
  const inA = cols.filter((x) => x.t === 'a');
  const inB = new Set(cols.filter((x) => x.t === 'b').map((x) => x.col));
  const found = inA.find((x) => (wanted ? x.col.toLowerCase() === wanted.toLowerCase() : x.type === 'VARCHAR' && CURRENCY_NAME.test(x.col)));
  return found !== undefined && inB.has(found.col) ? found.col : undefined;
}
