import { describe, it, expect, afterAll } from 'vitest';
import type { DefinitionInput } from '../definition/schema.ts';
import { openDuckDB, queryRows } from '../duckdb/open.ts';
import { breakTypes as types, expectAccounted, smallRecons, type SmallBreak } from '../run/testing/small-recon.ts';
import { DUPLICATE_KEYS_SQL, REJECTED_DUPLICATE_KEYS_SQL } from './sql.ts';

/**
 * A rejected record sends the analyst to the right place (issue 12, items 7-8):
 * a record the reader could not split keeps its key, so its counterpart is
 * REJECTED_IN_A/B, not missing; a rejected record with no compared counterpart
 * is a break of its own; a key duplicated by a rejected row is a duplicate; and
 * every row still lands in exactly one bucket.
 */

const runs = smallRecons('recon-rejected-records-');
afterAll(() => runs.dispose());
const recon = runs.recon;

const DEF: DefinitionInput = { name: 'rejected records', key: ['k'], fields: [{ name: 'v', type: 'decimal', scale: 2 }] };

const byKey = (bs: SmallBreak[], key: string, type: string): SmallBreak => {
  const found = bs.filter((x) => x.key === key && x.diff_type === type);
  expect(found, `${key} ${type}`).toHaveLength(1);
  return found[0]!;
};


describe('a record rejected while the file is read keeps its key', () => {
  it('links the counterparts of too many, too few fields, invalid UTF-8 and an unterminated quote to their rejects', async () => {
    const a = Buffer.concat([
      Buffer.from('k,v\nK1,1.00\nK2,2.00,extra\nK3\nK4,caf'),
      Buffer.from([0xe9]),
      Buffer.from('\nK5,5.00\nK6,"6.00\nK7,7.00\n'),
    ]);
    const b = 'k,v\nK1,1.00\nK2,2.00\nK3,3.00\nK4,4.00\nK5,5.00\nK6,6.00\nK7,7.00\n';
    const o = await recon(a, b, DEF);
    expect(o.rejects.map((r) => r.line)).toEqual([3, 4, 5, 7]);
    // K7 is swallowed by K6's open quote: its B record is missing on A, the others were rejected there.
    expect(types(o.breaks)).toEqual(['K2:*:REJECTED_IN_A', 'K3:*:REJECTED_IN_A', 'K4:*:REJECTED_IN_A', 'K6:*:REJECTED_IN_A', 'K7:*:MISSING_IN_A']);
    expect(byKey(o.breaks, 'K2', 'REJECTED_IN_A').value_a).toMatch(/^line 3: too many fields/);
    expect(byKey(o.breaks, 'K3', 'REJECTED_IN_A').value_a).toMatch(/^line 4: column "v": too few fields/);
    expect(byKey(o.breaks, 'K4', 'REJECTED_IN_A').value_a).toMatch(/^line 5: column "v": not valid UTF-8/);
    expect(byKey(o.breaks, 'K6', 'REJECTED_IN_A').value_a).toMatch(/^line 7: column "v": unterminated or misplaced quote/);
    expect(o.summary.counts).toMatchObject({ a: 6, b: 7, matched: 2, rejectedA: 4, rejectedInA: 4, missingInA: 1 });
    expectAccounted(o.summary);
  });

  it('normalizes a recovered key with the staging key expression (a typed, composite key)', async () => {
    const def: DefinitionInput = { name: 'typed key', key: ['book', 'id'], fields: [{ name: 'id', type: 'integer' }, { name: 'v', type: 'decimal', scale: 2 }] };
    // " X " and "007" stage as "X" and 7: so must the key of the row with a field too many.
    const o = await recon('book,id,v\nX,1,1.00\n X ,007,7.00,extra\n', 'book,id,v\nX,1,1.00\nX,7,7.00\n', def);
    expect(types(o.breaks)).toEqual(['X|7:*:REJECTED_IN_A']);
    expect(o.summary.counts).toMatchObject({ matched: 1, rejectedA: 1, rejectedInA: 1, missingInA: 0 });
    expectAccounted(o.summary);
  });

  it('keeps MISSING_IN_A, and says so, when the key itself could not be read', async () => {
    // The key is the last column and the short row has none.
    const short = await recon('v,k\n1.00,K1\n2.00\n', 'v,k\n1.00,K1\n2.00,K2\n', DEF);
    expect(types(short.breaks)).toEqual(['K2:*:MISSING_IN_A']);
    expect(short.summary.warnings.a).toContain('1 rejected record(s) at line(s) 3 have no key that could be read: a record of the same key on B shows as MISSING_IN_A');
    expectAccounted(short.summary);
    // The bytes that are not UTF-8 are inside the key.
    const garbled = await recon(Buffer.concat([Buffer.from('k,v\nK1,1.00\nK'), Buffer.from([0xe9]), Buffer.from('2,2.00\n')]), 'k,v\nK1,1.00\nK2,2.00\n', DEF);
    expect(types(garbled.breaks)).toEqual(['K2:*:MISSING_IN_A']);
    expect(garbled.summary.warnings.a.join('\n')).toMatch(/^1 rejected record\(s\) at line\(s\) 3 have no key/m);
    expectAccounted(garbled.summary);
  });

  it("gives the outside tester's figures: 20 broken rows among 10,000", async () => {
    const rows = (n: number, broken: (i: number) => boolean): string =>
      `k,v\n${Array.from({ length: n }, (_, i) => (broken(i) ? `K${i},${i}.00,extra\n` : `K${i},${i}.00\n`)).join('')}`;
    // A: 10,000 rows, every 500th broken; B: the same 10,000 keys and 50 more.
    const a = rows(10_000, (i) => i % 500 === 7);
    const b = rows(10_050, () => false);
    const o = await recon(a, b, DEF);
    expect(o.summary.counts).toMatchObject({ a: 10_000, b: 10_050, rejectedA: 20, missingInA: 50, rejectedInA: 20, matched: 9_980 });
    expectAccounted(o.summary);
  });
});

describe('a rejected record with no compared counterpart is still a break', () => {
  it('lists a key rejected on both sides once per side', async () => {
    const o = await recon('k,v\nK1,1.00\nK2,bad\n', 'k,v\nK1,1.00\nK2,2.00,extra\n', DEF);
    expect(types(o.breaks)).toEqual(['K2:*:REJECTED_IN_A', 'K2:*:REJECTED_IN_B']);
    const inA = byKey(o.breaks, 'K2', 'REJECTED_IN_A');
    expect([inA.value_a, inA.value_b]).toEqual([expect.stringMatching(/^line 3: column "v": expected a decimal/), null]);
    const inB = byKey(o.breaks, 'K2', 'REJECTED_IN_B');
    expect([inB.value_a, inB.value_b]).toEqual([null, expect.stringMatching(/^line 3: too many fields/)]);
    expect(o.summary.counts).toMatchObject({ matched: 1, rejectedA: 1, rejectedB: 1, rejectedInA: 0, rejectedInB: 0, missingInA: 0, missingInB: 0 });
    expectAccounted(o.summary);
  });

  it('lists a rejected record whose key the other side does not have', async () => {
    const o = await recon('k,v\nK1,1.00\nK9,bad\nK8,8.00,extra\n', 'k,v\nK1,1.00\n', DEF);
    expect(types(o.breaks)).toEqual(['K8:*:REJECTED_IN_A', 'K9:*:REJECTED_IN_A']);
    expect(byKey(o.breaks, 'K9', 'REJECTED_IN_A').value_a).toMatch(/^line 3: column "v": expected a decimal/);
    expect(byKey(o.breaks, 'K8', 'REJECTED_IN_A').value_a).toMatch(/^line 4: too many fields/);
    expect(o.summary.counts).toMatchObject({ matched: 1, rejectedA: 2, rejectedInA: 0, missingInA: 0, missingInB: 0 });
    expectAccounted(o.summary);
  });

  it('counts a key duplicated by a rejected row as a duplicate', async () => {
    for (const bad of ['K1,bad', 'K1,1.00,extra']) {
      const o = await recon(`k,v\nK1,10.00\n${bad}\nK2,2.00\n`, 'k,v\nK1,10.00\nK2,2.00\n', DEF);
      expect(types(o.breaks), bad).toEqual(['K1:*:DUPLICATE_KEY:a', 'K1:*:DUPLICATE_KEY:b', 'K1:*:REJECTED_IN_A']);
      expect(o.summary.counts, bad).toMatchObject({ matched: 1, duplicateKeysA: 1, duplicateRowsA: 1, duplicateRowsB: 1, rejectedA: 1 });
      const unique = o.summary.checks.find((k) => k.name === 'key_unique_a')!;
      expect([unique.passed, unique.actual], bad).toEqual([false, '2']);
      expectAccounted(o.summary);
    }
  });
});

describe('duplicate keys counted where the rejected rows are not (a cluster run)', () => {
  it('ends with the same dup_keys as counting every row whose key is known', async () => {
    const a = 'k,v\nK1,10.00\nK1,bad\nK2,2.00\nK2,2.00,extra\nK3,3.00\nK3,3.00\nK4,bad\nK4,x\nK5,5.00\n';
    const b = 'k,v\nK1,10.00\nK5,5.00\nK5,5.00,extra\nK6,6.00\n';
    const o = await recon(a, b, DEF);
    const db = await openDuckDB({ path: o.summary.database });
    try {
      const dupKeys = async (): Promise<string[]> =>
        (await queryRows<{ side: string; __key: string; n: string }>(db.connection, 'SELECT side, __key, n FROM dup_keys ORDER BY ALL')).map((r) => `${r.side}:${r.__key}:${r.n}`);
      await db.connection.run(DUPLICATE_KEYS_SQL);
      const everyRow = await dupKeys();
      expect(everyRow).toEqual(['a:K1:2', 'a:K2:2', 'a:K3:2', 'a:K4:2', 'b:K5:2']);
      // What a cluster counts: the loaded rows only.
      await db.connection.run(`CREATE OR REPLACE TABLE dup_keys AS
        SELECT 'a' AS side, __key, count(*) AS n FROM a WHERE NOT __bad GROUP BY __key HAVING count(*) > 1
        UNION ALL SELECT 'b' AS side, __key, count(*) AS n FROM b WHERE NOT __bad GROUP BY __key HAVING count(*) > 1`);
      expect(await dupKeys()).toEqual(['a:K3:2']);
      await db.connection.run(REJECTED_DUPLICATE_KEYS_SQL);
      expect(await dupKeys()).toEqual(everyRow);
    } finally {
      db.close();
    }
  });
});

describe('the quality gate', () => {
  it('warns when a side has rejects, and not otherwise', async () => {
    const o = await recon('k,v\nK1,1.00\nK2,bad\n', 'k,v\nK1,1.00\nK2,2.00\n', DEF);
    expect(o.summary.gate.warnings).toEqual(['A: 1 record(s) rejected, not compared (see rejects)']);
    const clean = await recon('k,v\nK1,1.00\n', 'k,v\nK1,1.00\n', DEF);
    expect(clean.summary.gate.warnings).toEqual([]);
  });
});
