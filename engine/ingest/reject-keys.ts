import type { DuckDBConnection } from '@duckdb/node-api';
import type { ResolvedDefinition } from '../definition/resolve.ts';
import type { SourceOptions } from '../definition/schema.ts';
import { openDuckDB, queryRows } from '../duckdb/open.ts';
import { stageSource } from '../normalize/stage.ts';
import { RUN_TABLES } from '../run-file/schema.ts';
import { ident } from '../sql/quote.ts';
import { REJECTS_DDL } from './rejects.ts';
import { tableSample, type LoadedSource } from './source-types.ts';

/**
 * The keys of the records a side's reader rejected whole (too few or too many
 * fields, bytes that are not UTF-8, a stray quote, a sheet row without computed
 * values), written to `rejects.key`. Without its key such a record's counterpart
 * would look missing; with it, it is REJECTED_IN_A/B and names the reject, and a
 * key the record duplicates counts as duplicated (diff/sql.ts).
 *
 * The key columns are taken from the record's trusted fields
 * (`LoadedSource.rejectedRecords`) and run through the staging itself
 * (normalize/stage.ts, on the key fields only, as normalize/wide.ts stages keys),
 * in a DuckDB of their own, so the key is spelled exactly as a staged row's
 * `__key`. A record whose key columns are not among its trusted fields, or whose
 * key staging rejects (an empty part, a value that does not cast), keeps no key:
 * the run says so in the side's warnings, and its counterpart stays MISSING_IN_A/B.
 */
export async function recoverRejectKeys(conn: DuckDBConnection, resolved: ResolvedDefinition, loaded: LoadedSource, source: SourceOptions): Promise<void> {
  const records = loaded.rejectedRecords ?? [];
  if (records.length === 0) return;
  const side = loaded.side;
  const keyColumns = [...new Set(resolved.keyFields.map((f) => (side === 'a' ? f.aColumn : f.bColumn)))];
  const positions = keyColumns.map((c) => loaded.columns.indexOf(c));
  const readable = records.filter((r) => positions.every((p) => p >= 0 && p < r.fields.length));
  const keys = readable.length === 0 ? [] : await stagedKeys(resolved, loaded, source, keyColumns, readable.map((r) => positions.map((p) => r.fields[p] ?? null)));
  const found = readable.flatMap((r, i) => (keys[i] === null || keys[i] === undefined ? [] : [{ line: r.line, key: keys[i] }]));

  if (found.length > 0) {
    const temp = `reject_keys_${side}`;
    await conn.run(`CREATE OR REPLACE TEMP TABLE ${temp} (line BIGINT, key VARCHAR)`);
    const appender = await conn.createAppender(temp);
    try {
      for (const f of found) {
        appender.appendBigInt(BigInt(f.line));
        appender.appendVarchar(f.key);
        appender.endRow();
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
    await conn.run(
      `UPDATE ${RUN_TABLES.rejects} SET key = k.key FROM ${temp} k
        WHERE ${RUN_TABLES.rejects}.side = '${side}' AND ${RUN_TABLES.rejects}.rid IS NULL AND ${RUN_TABLES.rejects}.line = k.line`,
    );
    await conn.run(`DROP TABLE ${temp}`);
  }

  const foundLines = new Set(found.map((f) => f.line));
  const lost = records.filter((r) => !foundLines.has(r.line)).map((r) => r.line);
  if (lost.length > 0) {
    const S = side.toUpperCase();
    const where = `${lost.slice(0, 10).join(', ')}${lost.length > 10 ? ', …' : ''}`;
    loaded.warnings.push(
      `${lost.length} rejected record(s) at ${loaded.lineLabel}(s) ${where} have no key that could be read: a record of the same key on ${S === 'A' ? 'B' : 'A'} shows as MISSING_IN_${S}`,
    );
  }
}

/** Each row's key as staging spells it, or null where staging rejects the key. */
async function stagedKeys(
  resolved: ResolvedDefinition,
  loaded: LoadedSource,
  source: SourceOptions,
  columns: readonly string[],
  rows: readonly (readonly (string | null)[])[],
): Promise<(string | null)[]> {
  const db = await openDuckDB({ path: ':memory:', threads: 1 });
  try {
    const conn = db.connection;
    await conn.run(REJECTS_DDL);
    await conn.run(`CREATE TABLE raw (${columns.map((c) => `${ident(c)} VARCHAR`).join(', ')})`);
    const appender = await conn.createAppender('raw');
    try {
      for (const row of rows) {
        for (const v of row) {
          if (v === null) appender.appendNull();
          else appender.appendVarchar(v);
        }
        appender.endRow();
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
    const keysOnly: ResolvedDefinition = { ...resolved, fields: resolved.fields.filter((f) => f.isKey), currencyField: undefined };
    const keysLoaded: LoadedSource = {
      ...loaded,
      rawRelation: '(SELECT * FROM raw ORDER BY rowid)',
      sampleRelation: tableSample('raw'),
      columns: [...columns],
      async afterRead() {},
      async locate(rowids) {
        return new Map(rowids.map((r) => [r, r]));
      },
    };
    await stageSource(conn, keysOnly, keysLoaded, source);
    const staged = await queryRows<{ key: string | null }>(conn, `SELECT CASE WHEN NOT __bad THEN __key END AS key FROM ${loaded.side} ORDER BY __rid`);
    return staged.map((r) => r.key);
  } finally {
    db.close();
  }
}
