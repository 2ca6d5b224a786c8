import { afterAll, describe, expect, it } from 'vitest';
import type { DefinitionInput } from '../definition/schema.ts';
import { smallRecons } from '../run/testing/small-recon.ts';

const runs = smallRecons('recon-control-totals-');
afterAll(() => runs.dispose());

const def: DefinitionInput = {
  name: 'control totals',
  key: ['id'],
  fields: [
    { name: 'id', type: 'string' },
    { name: 'amt', type: 'decimal', scale: 2 },
    { name: 'd', type: 'date' },
  ],
};

describe('control totals', () => {
  it('names the money left in rejected rows with its own sign', async () => {
    // Row 2 of A is rejected for its date; its amounts, +5.00 and -0.01 on row 3, stay out of the compare.
    const a = 'id,amt,d\n1,10.00,2024-01-01\n2,5.00,not a date\n3,-0.01,nor this\n';
    const b = 'id,amt,d\n1,10.00,2024-01-01\n';
    const { summary } = await runs.recon(a, b, def);
    const total = summary.checks.find((c) => c.name === 'control_total_a_amt_ALL');
    expect(total).toMatchObject({ passed: false, expected: '14.99', actual: '10.00' });
    expect(total?.message).toBe('A amt ALL: 14.99 read but 10.00 staged; 4.99 is in rejected rows');
  });
});
