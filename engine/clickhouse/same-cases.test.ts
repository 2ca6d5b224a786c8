import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateDefinition } from '../definition/load.ts';
import type { DefinitionInput } from '../definition/schema.ts';
import { CASES, csv, makeCase, Rng } from '../diff/testing/property-cases.ts';
import { openDuckDB, queryRows } from '../duckdb/open.ts';
import { generateExtracts } from '../generate/generate-extracts.ts';
import { ReconError } from '../errors/recon-error.ts';
import { runRecon, type RunSummary } from '../run/run-recon.ts';
import { CLUSTER_PASSWORD_ENV } from './cluster-target.ts';
import { clusterTestHooks } from './run-on-cluster.ts';
import { clickhouseAvailable, startTestCluster, type TestCluster } from './testing/clickhouse-cluster.ts';
import { comparableChecks } from './testing/comparable-checks.ts';

/**
 * One set of semantics, two engines: the same inputs reconciled by the local
 * engine (DuckDB) and on a two-shard ClickHouse cluster, loaded with the
 * workstation's typed values and with raw text the nodes normalize
 * (`--cluster-normalize`), must give identical
 * breaks (every column, in break id order), checks, counts and per-field
 * tolerance counts. The cases: the diff property test's random tables, the cases
 * of the bad-input corpus that reach the diff (ragged and unterminated records,
 * cast rejects, number spellings, rounding, NULLs, Unicode whitespace, empty
 * files), and a generated 100k-row pair (bench/cluster-bench.ts runs 1M and 10M).
 */

let cluster: TestCluster;
let dir: string;

const json = (rows: readonly Record<string, unknown>[]): string[] => rows.map((r) => JSON.stringify(r, (_, v) => (typeof v === 'bigint' ? v.toString() : v)));

async function runFile(summary: RunSummary): Promise<{ breaks: string[]; checks: string[]; rejects: string[] }> {
  const db = await openDuckDB({ path: summary.database });
  try {
    return {
      breaks: json(await queryRows(db.connection, 'SELECT break_id, key, field, diff_type, side, value_a, value_b, delta, field_type, rid_a, rid_b FROM breaks ORDER BY break_id')),
      checks: json(comparableChecks(await queryRows(db.connection, 'SELECT * FROM checks ORDER BY ALL'))),
      rejects: json(await queryRows(db.connection, 'SELECT * FROM rejects ORDER BY ALL')),
    };
  } finally {
    db.close();
  }
}

/** Runs A against B on both engines and requires the same results. */
async function sameOnBoth(name: string, aPath: string, bPath: string, definition: DefinitionInput): Promise<RunSummary> {
  const def = validateDefinition(definition);
  const local = await runRecon({ aPath, bPath, definition: def, workspace: join(dir, `${name}-local`), previousRunId: null });
  const l = await runFile(local);
  // Both ways of loading the cluster: the workstation's typed values (the default), and raw text the nodes normalize.
  for (const normalizeOnCluster of [false, true]) {
    const mode = `${name} (${normalizeOnCluster ? 'normalized on the cluster' : 'typed values'})`;
    const target = { ...cluster.target, normalizeOnCluster };
    const onCluster = await runRecon({ aPath, bPath, definition: def, workspace: join(dir, `${name}-cluster-${normalizeOnCluster}`), previousRunId: null, cluster: target });
    const c = await runFile(onCluster);
    expect(c.breaks, mode).toEqual(l.breaks);
    expect(c.checks, mode).toEqual(l.checks);
    expect(c.rejects, mode).toEqual(l.rejects);
    expect(onCluster.counts, mode).toEqual(local.counts);
    expect(onCluster.breaks, mode).toEqual(local.breaks);
    expect(onCluster.withinTolerance, mode).toEqual(local.withinTolerance);
    expect(comparableChecks(onCluster.checks), mode).toEqual(comparableChecks(local.checks));
    expect(onCluster.engine, mode).toMatchObject({ name: 'clickhouse', normalizedOn: normalizeOnCluster ? 'cluster' : 'workstation' });
  }
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
  // Keys duplicated by a rejected row (one that does not cast, one the reader could not split), rejected on both sides, or alone.
  { name: 'rejected rows and their keys', a: 'id,amt,d\n1,1.00,2024-01-01\n1,bad,2024-01-01\n2,2.00,2024-01-02\n2,2.00\n3,x,2024-01-03\n9,9.00,2024-01-09,extra\n', b: `${GOOD}3,3.00\n`, def: DEF },
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
  // Normalization runs on the cluster (normalize-on-cluster.ts): its spellings of the corpus.
  {
    name: 'number spellings',
    a: 'id,q,amt\n1,0x10,1.00\n2,1_000,2.00\n3,1.5,3.00\n4,1e3,4.00\n5,"1,000",5.00\n6,12,1_0.5\n7,7,+7.5\n8,-0,.5\n9,"1,23,4",9.\n10,2.00,(0.5)\n',
    b: 'id,q,amt\n1,16,1.00\n2,1000,2.00\n3,2,3.00\n4,1000,4.00\n5,1000,5.00\n6,12,10.5\n7,7,7.5\n8,0,0.5\n9,1234,9\n10,2,-0.5\n',
    def: { name: 'numbers', key: ['id'], fields: [{ name: 'id' }, { name: 'q', type: 'integer' }, { name: 'amt', type: 'decimal', scale: 2 }], sources: { a: { thousandsSeparator: ',' } } },
  },
  {
    name: 'rounding reject',
    a: 'id,amt\n1,1.005\n2,1.5\n3,2.000\n4,-0.129\n5,(3.14159)\n6,7.10\n',
    b: 'id,amt\n1,1.01\n2,1.50\n3,2\n4,-0.13\n5,-3.14\n6,7.1\n',
    def: { name: 'reject', key: ['id'], fields: [{ name: 'id' }, { name: 'amt', type: 'decimal', scale: 2, rounding: 'reject' }] },
  },
  {
    name: 'dates with formats and times of day',
    a: 'id,d,ts\n1,2024-02-30,2024-01-01 10:00:00\n2,2024-01-02 09:00,2024-01-02T10:00:00.5\n3,2024-01-03 00:00:00,1969-12-31 23:59:59\n4,2024-1-4,2024-13-01 00:00:00\n5,2024/01/05,2024-01-05 25:00:00\n6,1900-02-28,1900-02-28 12:00\n',
    b: 'id,d,ts\n1,30/02/2024,01/01/2024 10:00\n2,02/01/2024,02/01/2024 10:00\n3,3/1/2024,31/12/1969 23:59\n4,04/01/2024,01/13/2024 00:00\n5,05/01/2024,05/01/2024 01:00\n6,28/02/1900,28/02/1900 12:00\n',
    def: {
      name: 'dates',
      key: ['id'],
      fields: [{ name: 'id' }, { name: 'd', type: 'date' }, { name: 'ts', type: 'timestamp', tolerance: { days: 1 }, dateFormat: { b: '%d/%m/%Y %H:%M' } }],
      sources: { b: { dateFormat: '%d/%m/%Y' } },
    },
  },
  {
    name: 'null markers, value maps and case folding',
    a: 'id,side,name\n1,B,alice\n2,S,Bob\n3,NULL,Carol\n4,n/a,dave\n5,X,ÉMILE\n',
    b: 'id,side,name\n1,BUY,ALICE\n2,SELL,bob\n3,,CAROL\n4,BUY,Dave\n5,X,émile\n',
    def: {
      name: 'maps',
      key: ['id'],
      fields: [{ name: 'id' }, { name: 'side', map: { a: { B: 'BUY', S: 'SELL' } } }, { name: 'name', case: 'upper' }],
      sources: { a: { nullValues: ['NULL', 'n/a'] } },
    },
  },
  {
    name: 'adjust rules',
    a: 'id,amt,d,ts\n1,1.23,2024-01-08,2024-01-08 10:00:00\n2,-0.05,2024-01-06,1969-12-29 10:00:00\n3,99.99,2024-01-01,2024-01-01 00:00:00\n4,0.01,1969-12-29,1969-12-31 23:00:00\n',
    b: 'id,amt,d,ts\n1,123,2024-01-09,2024-01-09 10:00:00\n2,-5,2024-01-08,1969-12-30 10:00:00\n3,9999.4,2024-01-02,2024-01-02 00:00:00\n4,1,1969-12-30,1970-01-01 23:00:00\n',
    def: {
      name: 'adjust',
      key: ['id'],
      fields: [
        { name: 'id' },
        { name: 'amt', type: 'decimal', scale: 2, adjust: { b: { multiply: '0.01' } } },
        { name: 'd', type: 'date', adjust: { b: { shiftBusinessDays: -1 } } },
        { name: 'ts', type: 'timestamp', adjust: { a: { shiftDays: 1 } } },
      ],
    },
  },
  // B − A beyond DECIMAL(38) (or a step of the tolerance beyond it): a MISMATCH without a delta on both engines,
  // where 18.16, which has no TRY, failed the join (clickhouse/tolerance-overflow.test.ts tries every boundary).
  {
    name: 'differences beyond the type',
    a: 'id,amt,q\n1,999999999999999999999999999999999999.99,99999999999999999999999999999999999999\n2,-999999999999999999999999999999999999.99,5\n3,1.00,-99999999999999999999999999999999999999\n4,2.00,10\n',
    b: 'id,amt,q\n1,-0.01,-1\n2,0.01,6\n3,1.01,99999999999999999999999999999999999999\n4,2.00,14\n',
    def: {
      name: 'extremes',
      key: ['id'],
      fields: [{ name: 'id' }, { name: 'amt', type: 'decimal', scale: 2, tolerance: { abs: '0.01', rel: '0.5' } }, { name: 'q', type: 'integer', tolerance: { abs: '0.5', rel: '0.5' } }],
    },
  },
  {
    name: 'empty key parts',
    a: 'k1,k2,v\nA,,1\n,B,2\n,,3\nC,1,4\n',
    b: 'k1,k2,v\nA,,1\n,B,5\nC,1,4\n',
    def: { name: 'parts', key: ['k1', 'k2'], emptyKeyParts: 'match', fields: [{ name: 'k1' }, { name: 'k2', type: 'integer' }, { name: 'v', type: 'integer' }] },
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

  it('refuses up front, or before the join, what the cluster cannot normalize as the local engine does', async () => {
    const cases: [string, string, DefinitionInput, RegExp][] = [
      ['format', 'id,d\n1,05 Jan 2024\n', { name: 'fmt', key: ['id'], fields: [{ name: 'id' }, { name: 'd', type: 'date', dateFormat: '%d %b %Y' }] }, /field "d".*%b.*run it locally$/],
      ['fold', 'id,name\n1,Straße\n', { name: 'fold', key: ['id'], fields: [{ name: 'id' }, { name: 'name', case: 'upper' }] }, /normalized differently on ClickHouse.*run it locally$/],
      ['hugeint', 'id,q\n1,123456789012345678901234567890123456789\n', { name: 'huge', key: ['id'], fields: [{ name: 'id' }, { name: 'q', type: 'integer' }] }, /differently from the local engine.*run it locally$/],
    ];
    for (const [name, text, definition, message] of cases) {
      const f = files(`refuse-${name}`, text, text);
      const def = validateDefinition(definition);
      await runRecon({ aPath: f.a, bPath: f.b, definition: def, workspace: join(dir, `refuse-${name}-local`), previousRunId: null });
      const err = await runRecon({ aPath: f.a, bPath: f.b, definition: def, workspace: join(dir, `refuse-${name}`), previousRunId: null, cluster: { ...cluster.target, normalizeOnCluster: true } }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err, name).toBeInstanceOf(ReconError);
      expect((err as Error).message, name).toMatch(message);
      // Loaded with the workstation's typed values (the default), the same definition runs on the cluster,
      // but for a 39-digit whole number, which the wire's Decimal(38, 0) cannot carry: refused, naming the field.
      const typed = runRecon({ aPath: f.a, bPath: f.b, definition: def, workspace: join(dir, `refuse-${name}-typed`), previousRunId: null, cluster: cluster.target });
      if (name === 'hugeint') await expect(typed).rejects.toThrow(/field "q" of A has 1 whole number\(s\) of 39 digits.*run it locally$/);
      else expect((await typed).breaks.total, name).toBe(0);
    }
  }, 60_000);

  it('reads the checks from the cluster: a row the cluster holds that was not sent fails them', async () => {
    const f = files('tampered', GOOD, GOOD);
    const def = validateDefinition(DEF);
    const local = await runRecon({ aPath: f.a, bPath: f.b, definition: def, workspace: join(dir, 'tampered-local'), previousRunId: null });
    const passed = (lines: string[]): boolean[] => lines.map((c) => (JSON.parse(c) as { passed: boolean }).passed);
    expect(passed((await runFile(local)).checks)).not.toContain(false);
    // Just before the checks read the cluster: one more row of A, amount 5 (a0: the first compared field), on the
    // shard of its key (through the Distributed table). Its key is new ('9'), or one both sides already hold ('1'), which the cluster then holds twice on A: the rows
    // of a key duplicated on either side are not compared, so the cluster compared 3 rows a side where the diff paired 4.
    const tampers = [
      { key: '9', comparedA: 5, comparedB: 4 },
      { key: '1', comparedA: 3, comparedB: 3 },
    ];
    try {
      for (const { key, comparedA, comparedB } of tampers) {
        clusterTestHooks.beforeChecks = async (client, tables) => {
          await client.exec(`INSERT INTO ${tables.dist('a')} (__key, rid_a, a0, __key_text) VALUES ('${key}', 99, 5, '${key}')`);
        };
        for (const normalizeOnCluster of [false, true]) {
          const what = `key ${key}, ${normalizeOnCluster ? 'normalized on the cluster' : 'typed values'}`;
          const run = await runRecon({ aPath: f.a, bPath: f.b, definition: def, workspace: join(dir, `tampered-${key}-${normalizeOnCluster}`), previousRunId: null, cluster: { ...cluster.target, normalizeOnCluster } });
          const checks = new Map((await runFile(run)).checks.map((c) => JSON.parse(c) as { name: string; passed: boolean; expected: string; actual: string; message: string }).map((c) => [c.name, c]));
          const failed = [...checks.values()].filter((c) => !c.passed).map((c) => c.name);
          expect(failed.sort(), what).toEqual(['control_total_a_amt_ALL', 'key_hash_a', 'rows_accounted_a', 'rows_accounted_b', 'source_rows_a']);
          expect(checks.get('source_rows_a'), what).toMatchObject({ expected: '4', actual: '5' });
          expect(checks.get('control_total_a_amt_ALL'), what).toMatchObject({ expected: '10.00', actual: '15.00' });
          // The diff found no break (it ran before the tamper): every row the cluster compared counts as matched.
          expect(checks.get('rows_accounted_a'), what).toMatchObject({ expected: '4', actual: String(comparedA) });
          expect(checks.get('rows_accounted_b')?.message, what).toContain(comparedA === comparedB ? `B: 4 source rows but ${comparedB} matched` : `B: ${comparedB} matched on B but ${comparedA} on the other side`);
        }
      }
    } finally {
      delete clusterTestHooks.beforeChecks;
    }
  }, 120_000);

  it('a generated 100k-row pair', async () => {
    const g = await generateExtracts({ rows: 100_000, outDir: join(dir, 'gen'), seed: 7 });
    const local = await sameOnBoth('gen100k', g.aPath, g.bPath, JSON.parse(readFileSync(g.definitionPath, 'utf8')) as DefinitionInput);
    expect(local.breaks.total).toBeGreaterThan(1000);
  }, 300_000);
});
