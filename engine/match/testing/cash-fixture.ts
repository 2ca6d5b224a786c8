import type { MatchingInput } from '../definition.ts';

/**
 * A small ledger-against-statement definition for the matching tests: A (the
 * ledger) has `id, amount, value_date, currency, reference, name`; B (the
 * bank statement) `st_id, amount, value_date, currency, narrative, name`.
 */
export const LEDGER_HEADER = 'id,amount,value_date,currency,reference,name';
export const STATEMENT_HEADER = 'st_id,amount,value_date,currency,narrative,name';

export function cashDefinition(rules: readonly MatchingInput['rules'][number][], extra: Record<string, unknown> = {}): unknown {
  return {
    name: 'cash',
    key: ['id'],
    fields: [
      { name: 'id', b: 'st_id' },
      { name: 'amount', type: 'decimal', scale: 2 },
      { name: 'value_date', type: 'date' },
      { name: 'currency' },
      { name: 'reference', b: 'narrative' },
      { name: 'name' },
    ],
    compareUnlisted: false,
    matching: { rules, ...extra },
  };
}

/** A CSV text: the header, then one line per row. */
export function csv(header: string, rows: readonly string[]): string {
  return [header, ...rows, ''].join('\n');
}
