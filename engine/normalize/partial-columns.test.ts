import { afterAll, describe, expect, it } from 'vitest';
import { smallRecons } from '../run/testing/small-recon.ts';

const runs = smallRecons('recon-partial-columns-');
afterAll(() => runs.dispose());

describe('a definition that stages some of a file’s columns', () => {
  // DuckDB 1.5 fails fatally reading a subset of a file's columns when one it reads, not the
  // first, holds bytes that are not UTF-8: the whole run failed (INPUT_PARSE_ERROR, "INTERNAL Error").
  it.each([
    ['in a staged column', 'x,id,amt\n1,A1,1.00\n2,A\xff2,2.00\n3,A3,3.00\n'],
    ['in a column it does not stage', 'x,id,amt\n1,A1,1.00\n2,A2,2.00\n3\xff,A3,3.00\n'],
  ])('rejects a record whose text is not UTF-8 %s, as a run staging every column does', async (_, a) => {
    const b = 'x,id,amt\n1,A1,1.00\n2,A2,2.00\n3,A3,3.00\n';
    const { summary, rejects } = await runs.recon(Buffer.from(a, 'latin1'), b, { name: 'ids only', key: ['id'], compareUnlisted: false, fields: [{ name: 'id', type: 'string' }] });
    expect(rejects.map((r) => [r.side, r.line])).toHaveLength(1);
    expect(rejects[0]).toMatchObject({ side: 'a' });
    expect(summary.checks.every((c) => c.passed)).toBe(true);
    expect(summary.counts.matched).toBe(2);
  });
});
