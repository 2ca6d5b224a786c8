import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { openDuckDB, queryRows, type OpenDuckDB } from '../duckdb/open.ts';
import { CASE_FOLD_DIFFERS, chCaseFoldDiffers } from '../sql/clickhouse-casts.ts';
import { chString } from '../sql/dialect.ts';
import { NORMALIZE_MATRIX } from '../sql/testing/normalize-matrix.ts';
import { ClickHouseClient } from './client.ts';
import { clickhouseAvailable, startTestCluster, type TestCluster } from './testing/clickhouse-cluster.ts';
import { onClickHouse, onDuckDB, valuesOf, type Outcome } from './testing/normalize-cases.ts';

/**
 * One meaning of normalization on both engines: every field shape of the matrix
 * (sql/testing/normalize-matrix.ts: every branch of normalize/sql.ts and
 * adjust-sql.ts) reads the same raw texts (testing/normalize-cases.ts: the
 * bad-input corpus's spellings) on DuckDB and on ClickHouse 18.16, and must give
 * the same value, reject, reason text and rounding flag.
 */

let cluster: TestCluster;
let client: ClickHouseClient;
let duck: OpenDuckDB;

describe.skipIf(!clickhouseAvailable())('normalization SQL on DuckDB and on ClickHouse 18.16', () => {
  beforeAll(async () => {
    cluster = await startTestCluster(1);
    client = new ClickHouseClient({ url: cluster.info.urls[0]!, user: cluster.info.user, password: cluster.info.password });
    duck = await openDuckDB({ path: ':memory:' });
  }, 60_000);
  afterAll(async () => {
    duck?.close();
    await cluster?.destroy();
  });

  it.each(NORMALIZE_MATRIX.filter((e) => e.format === undefined).map((e) => [e.name, e] as const))('%s: same values, rejects, reasons and rounding', async (_, e) => {
    const values = valuesOf(e);
    const [local, remote] = await Promise.all([onDuckDB(duck.connection, e, values), onClickHouse(client, e, values)]);
    expect(remote).toHaveLength(values.length);
    // Two kinds of value may differ, and a cluster run refuses them instead (normalize-on-cluster.ts):
    // a case-folded text with a character the engines fold differently, and a whole number
    // of 39 digits, which DuckDB's HUGEINT holds and the cluster's Decimal(38, 0) does not.
    const folded = e.field.type === 'string' && e.field.case !== 'none';
    const guarded = await Promise.all(values.map(async (v) => (folded && v !== null ? (await client.exec(`SELECT ${chCaseFoldDiffers(chString(v))} FORMAT TSV`)).trim() === '1' : false)));
    const hugeint = (v: string | null): boolean => e.field.type === 'integer' && v !== null && /^[0-9]{39}$/.test(v);
    const table = (outs: Outcome[]): string[] => outs.map((o, i) => `${JSON.stringify(values[i])} → ${guarded[i] || hugeint(values[i]!) ? 'refused by a cluster run' : JSON.stringify(o)}`);
    expect(table(remote)).toEqual(table(local));
    if (folded) expect(guarded.some((g, i) => g && JSON.stringify(local[i]) !== JSON.stringify(remote[i]))).toBe(true);
    // The cases reach every outcome a field type has: a value and a reject.
    expect(local.some((o) => o.value !== null)).toBe(true);
    if (e.field.type !== 'string') expect(local.some((o) => o.bad)).toBe(true);
    // A number too large for its type says so, in the same words on both engines (compared above).
    if (e.field.type === 'decimal' || e.field.type === 'integer') expect(local.some((o) => o.reason?.startsWith('out of range'))).toBe(true);
  }, 60_000);

  it('knows every code point the engines case-fold differently', async () => {
    // Every code point above ASCII: DuckDB's upper and lower of it, folded again by ClickHouse.
    const rows = await queryRows<{ i: number; c: string; u: string; l: string }>(
      duck.connection,
      `SELECT CAST(i AS INTEGER) AS i, chr(CAST(i AS INTEGER)) AS c, upper(chr(CAST(i AS INTEGER))) AS u, lower(chr(CAST(i AS INTEGER))) AS l
         FROM range(128, 196608) t(i) WHERE i < 55296 OR i > 57343`,
    );
    const esc = (v: string): string => v.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
    const file = join(mkdtempSync(join(tmpdir(), 'recon-fold-')), 'fold.tsv');
    writeFileSync(file, `${rows.map((r) => [r.i, esc(r.c), esc(r.u), esc(r.l)].join('\t')).join('\n')}\n`);
    await client.exec('CREATE TABLE IF NOT EXISTS default.recon_fold (i UInt32, c String, u String, l String) ENGINE = Memory');
    try {
      await client.insertFile('default.recon_fold', 'TSV', file);
      const differ = (await client.exec('SELECT i FROM default.recon_fold WHERE upperUTF8(c) != u OR lowerUTF8(c) != l ORDER BY i FORMAT TSV')).trim().split('\n').map(Number);
      const listed = CASE_FOLD_DIFFERS.flatMap(([a, b]) => Array.from({ length: b - a + 1 }, (_, k) => a + k));
      expect(differ.length).toBeGreaterThan(100);
      expect(listed).toEqual(differ);
    } finally {
      await client.exec('DROP TABLE IF EXISTS default.recon_fold');
      rmSync(dirname(file), { recursive: true, force: true });
    }
  }, 60_000);
});
