import { describe, expect, it } from 'vitest';
import { definitionSchema } from '../../definition/schema.ts';
import { CASH_DEFINITION } from './definition.ts';
import { BANK_HEADER, LEDGER_HEADER } from './rows.ts';

describe('CASH_DEFINITION', () => {
  it('validates against the definition schema, matching block included', () => {
    const parsed = definitionSchema.safeParse(JSON.parse(JSON.stringify(CASH_DEFINITION)));
    expect(parsed.success, parsed.success ? '' : JSON.stringify(parsed.error.issues)).toBe(true);
    expect(parsed.data?.matching?.rules.map((r) => r.type)).toEqual(['1:1', '1:1', '1:N', 'N:1', 'N:M', '1:1', 'N:1']);
  });

  it('names only columns the generated files have', () => {
    const ledgerColumns = LEDGER_HEADER.trim().split(',');
    const bankColumns = BANK_HEADER.trim().split(',');
    for (const f of CASH_DEFINITION.fields) {
      expect(ledgerColumns, f.name).toContain(f.name);
      expect(bankColumns, f.name).toContain('b' in f ? f.b : f.name);
    }
  });
});
