import { describe, it, expect, afterAll } from 'vitest';
import { rowsAccountedCheck, type SideBuckets } from '../checks/row-accounting.ts';
import { breakTypes as types, expectAccounted, smallRecons } from './testing/small-recon.ts';

/**
 * Every input row lands in exactly one bucket (matched, missing, duplicate,
 * rejected), whatever the shape of the files: key-only files, files sharing
 * only the key, keys duplicated on one side, records rejected on one side,
 * composite keys with an empty part, and invalid UTF-8 outside the key.
 */

const runs = smallRecons('recon-accounting-');
afterAll(() => runs.dispose());
const recon = runs.recon;



describe('row accounting', () => {
  it('reconciles key-only files: missing and duplicate breaks, a clean summary', async () => {
    const o = await recon('id\n1\n2\n3\n3\n', 'id\n2\n3\n4\n', { name: 'keys', key: ['id'] });
    expect(types(o.breaks)).toEqual(['1:*:MISSING_IN_B', '3:*:DUPLICATE_KEY:a', '3:*:DUPLICATE_KEY:a', '3:*:DUPLICATE_KEY:b', '4:*:MISSING_IN_A']);
    expect(o.summary.counts).toMatchObject({ a: 4, b: 3, matched: 1, missingInA: 1, missingInB: 1, duplicateRowsA: 2, duplicateRowsB: 1 });
    // The one failing check is the duplicate itself.
    expect(o.summary.checks.filter((k) => !k.passed).map((k) => k.name)).toEqual(['key_unique_a']);
    expect(o.summary.breaks.byField).toEqual({ '*': 5 });
    expect(o.summary.engine).toEqual({ name: 'duckdb' });
    expectAccounted(o.summary);
  });

  it('reconciles two files that share only the key, and lists the columns on one side only', async () => {
    const o = await recon('id,x,Extra\n1,a,q\n2,b,r\n', 'ID,y\n2,c\n3,d\n', { name: 'key-shared', key: ['id'] });
    expect(types(o.breaks)).toEqual(['1:*:MISSING_IN_B', '3:*:MISSING_IN_A']);
    expect(o.summary.columnsOnlyInA).toEqual(['x', 'Extra']);
    expect(o.summary.columnsOnlyInB).toEqual(['y']);
    expectAccounted(o.summary);
  });

  it('lists no one-sided column when every column is bound', async () => {
    const o = await recon('id,v\n1,a\n', 'id,w\n1,a\n', { name: 'bound', key: ['id'], fields: [{ name: 'v', b: 'w' }] });
    expect(o.summary.columnsOnlyInA).toEqual([]);
    expect(o.summary.columnsOnlyInB).toEqual([]);
  });

  it('keeps the other side of a key duplicated on one side in the duplicate bucket', async () => {
    const o = await recon('k,v\nK1,1\nK1,2\nK2,5\n', 'k,v\nK1,1\nK2,5\n', { name: 'dup-a', key: ['k'] });
    expect(types(o.breaks)).toEqual(['K1:*:DUPLICATE_KEY:a', 'K1:*:DUPLICATE_KEY:a', 'K1:*:DUPLICATE_KEY:b']);
    expect(o.summary.counts).toMatchObject({ a: 3, b: 2, matched: 1, missingInA: 0, missingInB: 0, duplicateRowsA: 2, duplicateRowsB: 1 });
    expectAccounted(o.summary);
  });

  it('gives the counterpart of a rejected record its own diff type, linked to the reject', async () => {
    const a = 'k,d,amt\nK1,2024-01-31,1.00\nK2,2024-02-31,2.00\nK3,2024-03-01,3.00\n';
    const b = 'k,d,amt\nK1,2024-01-31,1.00\nK2,2024-02-28,2.00\nK3,2024-03-01,oops\n';
    const o = await recon(a, b, {
      name: 'rejected',
      key: ['k'],
      fields: [
        { name: 'd', type: 'date' },
        { name: 'amt', type: 'decimal', scale: 2 },
      ],
    });
    expect(types(o.breaks)).toEqual(['K2:*:REJECTED_IN_A', 'K3:*:REJECTED_IN_B']);
    const k2 = o.breaks.find((x) => x.key === 'K2')!;
    // The link: the reject's line and reason, on the side that was rejected.
    expect(k2.value_a).toMatch(/^line 3: .*column "d".*expected a date/);
    expect(k2.value_b).toBeNull();
    const k3 = o.breaks.find((x) => x.key === 'K3')!;
    expect(k3.value_b).toMatch(/^line 4: .*column "amt".*expected a decimal/);
    expect(o.summary.counts).toMatchObject({ matched: 1, missingInA: 0, missingInB: 0, rejectedA: 1, rejectedB: 1, rejectedInA: 1, rejectedInB: 1 });
    expect(o.summary.attribution.byReason).toMatchObject({ REJECTED_IN_A: 1, REJECTED_IN_B: 1 });
    expectAccounted(o.summary);
  });

  it('rejects a composite key with an empty part by default, and matches it when asked to', async () => {
    const a = 'book,id,v\nX,1,a\n,2,b\nY,,c\n';
    const b = 'book,id,v\nX,1,a\n,2,b\nY,,z\n';
    const strict = await recon(a, b, { name: 'ck', key: ['book', 'id'] });
    expect(strict.summary.counts).toMatchObject({ matched: 1, rejectedA: 2, rejectedB: 2 });
    expect(strict.rejects.every((r) => /key field .* is empty/.test(r.reason))).toBe(true);
    expectAccounted(strict.summary);

    const kept = await recon(a, b, { name: 'ck', key: ['book', 'id'], emptyKeyParts: 'match' });
    expect(kept.summary.counts).toMatchObject({ matched: 3, rejectedA: 0, rejectedB: 0, matchedWithBreaks: 1 });
    expect(types(kept.breaks)).toEqual(['Y|:v:MISMATCH']);
    expect(kept.summary.checksPassed).toBe(true);
    expectAccounted(kept.summary);

    // A key with every part empty is still no key.
    const allEmpty = await recon('book,id,v\n,,a\nX,1,b\n', 'book,id,v\nX,1,b\n', { name: 'ck', key: ['book', 'id'], emptyKeyParts: 'match' });
    expect(allEmpty.summary.counts).toMatchObject({ matched: 1, rejectedA: 1 });
    expectAccounted(allEmpty.summary);
  });

  it('keeps the key hash intact when a non-key column holds invalid UTF-8', async () => {
    const a = Buffer.concat([Buffer.from('k,name\nK1,ok\nK2,caf'), Buffer.from([0xe9, 0x21]), Buffer.from('\nK3,fine\n')]);
    const b = 'k,name\nK1,ok\nK2,cafe\nK3,fine\n';
    const o = await recon(a, b, { name: 'utf8', key: ['k'] });
    expect(o.summary.checks.filter((k) => k.type === 'HASH').every((k) => k.passed)).toBe(true);
    expect(o.summary.checksPassed).toBe(true);
    expect(o.rejects).toMatchObject([{ side: 'a', line: 3 }]);
    // The record the reader rejected keeps its key: B's K2 is REJECTED_IN_A, not missing.
    expect(types(o.breaks)).toEqual(['K2:*:REJECTED_IN_A']);
    expectAccounted(o.summary);
  });

  it('fails the check when a row is in no bucket, or in two', () => {
    // B of a run with one rejected record on A alone (REJECTED_IN_A naming no B row): 2 B rows, both matched.
    const b: SideBuckets = { source: 2, matched: 2, missing: 0, counterpartRejected: 0, duplicate: 0, ambiguous: 0, rejected: 0 };
    expect(rowsAccountedCheck('b', b, b).passed).toBe(true);
    // Counting that break as B's counterpart-rejected row puts a row in two buckets; losing a matched row, in none.
    const twice = rowsAccountedCheck('b', { ...b, counterpartRejected: 1 }, b);
    expect([twice.passed, twice.discrepancy]).toEqual([false, '1']);
    const lost = rowsAccountedCheck('b', { ...b, matched: 1 }, { ...b, matched: 1 });
    expect([lost.passed, lost.discrepancy]).toEqual([false, '-1']);
  });
});
