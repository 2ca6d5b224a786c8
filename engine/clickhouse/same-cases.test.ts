import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateDefinition } from '../definition/load.ts';
import type { DefinitionInput } from '../definition/schema.ts';
import { CASES, csv, makeCase, Rng } from '../diff/testing/property-cases.ts';
import { openDuckDB, queryRows } from '../duckdb/open.ts';
import { generateExtracts } from '../generate/generate-extracts.ts';
import { runRecon, type RunSummary } from '../run/run-recon.ts';
import { CLUSTER_PASSWORD_ENV } from './cluster-target.ts';
import { clickhouseAvailable, startTestCluster, type TestCluster } from './testing/clickhouse-cluster.ts';

/**
 * One set of semantics, two engines: the same inputs reconciled by the local
 * engine (DuckDB) and on a two-shard ClickHouse cluster must give identical
 * breaks (every column, in break id order), checks, counts and per-field
 * tolerance counts. The cases: the diff property test's random tables, the cases
 * of the bad-input corpus that reach the diff (ragged and unterminated records,
 * cast rejects, number spellings, rounding, NULLs, Unicode whitespace, empty
 * files), and a generated 100k-row pair (bench/cluster-bench.ts runs 1M and 10M).
 */

let cluster: TestCluster;
let dir: string;

const json = (rows: readonly Record<string, unknown>[]): string[] => rows.map((r) => JSON.stringify(r, (_, v) => (typeof v === 'bigint' ? v.toString() : v)));

async function runFile(summary: RunSummary): Promise<{ breaks: string[]; checks: string[] }> {
  const db = await openDuckDB({ path: summary.database });
  try {
    return {
      breaks: json(await queryRows(db.connection, 'SELECT break_id, key, field, diff_type, side, value_a, value_b, delta, field_type, rid_a, rid_b FROM breaks ORDER BY break_id')),
      checks: json(await queryRows(db.connection, 'SELECT * FROM checks ORDER BY ALL')),
    };
  } finally {
    db.close();
  }
}

/** Runs A against B on both engines and requires the same results. */
async function sameOnBoth(name: string, aPath: string, bPath: string, definition: DefinitionInput): Promise<RunSummary> {
  const def = validateDefinition(definition);
  const local = await runRecon({ aPath, bPath, definition: def, workspace: join(dir, `${name}-local`), previousRunId: null });
  const onCluster = await runRecon({ aPath, bPath, definition: def, workspace: join(dir, `${name}-cluster`), previousRunId: null, cluster: cluster.target });
  const [l, c] = await Promise.all([runFile(local), runFile(onCluster)]);
  expect(c.breaks, name).toEqual(l.breaks);
  expect(c.checks, name).toEqual(l.checks);
  expect(onCluster.counts, name).toEqual(local.counts);
  expect(onCluster.breaks, name).toEqual(local.breaks);
  expect(onCluster.withinTolerance, name).toEqual(local.withinTolerance);
  expect(onCluster.checks, name).toEqual(local.checks);
  return local;
}

function files(name: string, a: string, b: string): { a: string; b: string } {
  const aPath = join(dir, `${name}-a.csv`);
  const bPath = join(dir, `${name}-b.csv`);
  writeFileSync(aPath, a);
  writeFileSync(bPath, b);
  return { a: aPath, b: bPath };
}

// The bad-input corpus (ingest/bad-inputs.test.ts) cases whose rows reach the diff.
const DEF: DefinitionInput = { name: 'bad inputs', key: ['id'], fields: [{ name: 'id', type: 'string' }, { name: 'amt', type: 'decimal', scale: 2 }, { name: 'd', type: 'date' }] };
const TEXT_DEF: DefinitionInput = { name: 'text', key: ['id'], fields: [{ name: 'id' }, { name: 'amt', type: 'decimal', scale: 2 }, { name: 'name' }] };
const GOOD = 'id,amt,d\n1,1.00,2024-01-01\n2,2.00,2024-01-02\n3,3.00,2024-01-03\n4,4.00,2024-01-04\n';
const TEXT = 'id,amt,name\n1,1.00,Café\n2,2.00,Zoë €\n3,3.00,plain\n';
const CORPUS: { name: string; a: string; b: string; def: DefinitionInput }[] = [
  { name: 'ragged rows', a: 'id,amt,d\n1,1.00,2024-01-01\n2,2.00\n3,3.00,2024-01-03,extra\n4,4.00,2024-01-04\n', b: GOOD, def: DEF },
  { name: 'unterminated quote', a: 'id,amt,d\n1,1.00,2024-01-01\n2,"2.00,2024-01-02\n3,3.00,2024-01-03\n', b: GOOD, def: DEF },
  { name: 'blank lines', a: 'id,amt,d\n1,1.00,2024-01-01\n\n2,2.00,2024-01-02\n\n\n3,3.50,2024-01-03\n', b: GOOD, def: DEF },
  { name: 'header only', a: 'id,amt,d\n', b: GOOD, def: DEF },
  {
    name: 'bad casts and empty keys',
    a: 'id,amt,d\n1,abc,2024-01-01\n2,2.00,2024-13-45\n,3.00,2024-01-03\n  ,4.00,2024-01-04\n5,1.2.3,31/12/2024\n6,6.00,2024-01-06\n',
    b: `${GOOD}5,5.00,2024-12-31\n6,6.00,2024-01-06\n`,
    def: DEF,
  },
  {
    name: 'accounting negatives',
    a: 'id,amt,name\n1,(12.50),x\n2,"1,234,567.89",x\n3,3.00-,x\n4,"(1,000.00)",x\n5,"12,5",x\n6,1234.5,x\n',
    b: 'id,amt,name\n1,-12.50,x\n2,1234567.89,x\n3,-3,x\n4,-1000,x\n5,125,x\n6,1234.50,x\n',
    def: { ...TEXT_DEF, sources: { a: { thousandsSeparator: ',' } } },
  },
  { name: 'decimal commas', a: TEXT, b: 'id;amt;name\n1;1,00;Café\n2;2.000,50;Zoë €\n3;3,0,0;plain\n', def: { ...TEXT_DEF, sources: { b: { delimiter: ';', decimalSeparator: ',', thousandsSeparator: '.' } } } },
  { name: 'rounding', a: 'id,amt,name\n1,1.005,x\n2,-1.005,x\n3,2.0049999,x\n4,0.0050,x\n5,7.125,x\n', b: 'id,amt,name\n1,1.01,x\n2,-1.01,x\n3,2.00,x\n4,0.01,x\n5,7.12,x\n', def: TEXT_DEF },
  { name: 'nulls', a: 'id,amt,name\n1,,\n2,,x\n3,3.00,\n4,  ,  \n', b: 'id,amt,name\n1,,\n2,2.00,x\n3,,y\n4,,\n', def: TEXT_DEF },
  {
    name: 'unicode whitespace',
    a: ['id,name,qty,amt', '"1\r","A\r","1\r\n","1.00\r\n"', '"\r\n2","\r\nB","\u00a02","\u00a02.00"', '"\ufeff3","C\n","3\u3000","3.00\u3000"', '6,"F\r\nG",6,6.00', ''].join('\n'),
    b: 'id,name,qty,amt\n1,A,1,1.00\n2,B,2,2.00\n3,C,3,3.00\n6,"F\nG",6,6.00\n',
    def: { name: 'ws', key: ['id'], fields: [{ name: 'id' }, { name: 'name' }, { name: 'qty', type: 'integer' }, { name: 'amt', type: 'decimal', scale: 2 }] },
  },
  {
    name: 'timestamps and booleans',
    a: 'id,ts,ok,big\n1,2024-01-01 10:00:00.000001,yes,99999999999999999999999\n2,1969-12-31 23:59:59,no,1\n3,2024-02-29 00:00:00,,2\n4,1900-01-01 00:00:00,true,-5\n',
    b: 'id,ts,ok,big\n1,2024-01-01 10:00:00.000002,y,99999999999999999999998\n2,1969-12-31 23:59:59,false,1\n3,2024-03-01 00:00:00,n,2\n4,1900-01-02 00:00:00,true,-5\n',
    def: { name: 'ts', key: ['id'], fields: [{ name: 'id' }, { name: 'ts', type: 'timestamp', tolerance: { days: 1 } }, { name: 'ok', type: 'boolean' }, { name: 'big', type: 'integer', tolerance: { abs: '0.5' } }] },
  },
];

describe.skipIf(!clickhouseAvailable())('the same cases on DuckDB and on a ClickHouse cluster', () => {
  beforeAll(async () => {
    cluster = await startTestCluster(2);
    dir = mkdtempSync(join(tmpdir(), 'recon-ch-same-'));
    process.env[CLUSTER_PASSWORD_ENV] = cluster.info.password;
  }, 60_000);
  afterAll(async () => {
    delete process.env[CLUSTER_PASSWORD_ENV];
    await cluster?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it.each(Array.from({ length: CASES }, (_, i) => i + 1))('property case %i', async (seed) => {
    const c = makeCase(seed);
    const rng = new Rng(seed);
    const f = files(`p${seed}`, csv(c.aHeader, c.aRows, c.styleA.delimiter, rng), csv(c.bHeader, c.bRows, c.styleB.delimiter, rng));
    await sameOnBoth(`p${seed}`, f.a, f.b, c.def);
  }, 60_000);

  it.each(CORPUS.map((c) => [c.name, c] as const))('bad-input case: %s', async (name, c) => {
    const f = files(name.replace(/\W+/g, '-'), c.a, c.b);
    await sameOnBoth(name.replace(/\W+/g, '-'), f.a, f.b, c.def);
  }, 60_000);

  it('a generated 100k-row pair', async () => {
    const g = await generateExtracts({ rows: 100_000, outDir: join(dir, 'gen'), seed: 7 });
    const local = await sameOnBoth('gen100k', g.aPath, g.bPath, JSON.parse(readFileSync(g.definitionPath, 'utf8')) as DefinitionInput);
    expect(local.breaks.total).toBeGreaterThan(1000);
  }, 300_000);
});
