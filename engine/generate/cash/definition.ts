import type { DefinitionInput } from '../../definition/schema.ts';

/**
 * The recon definition written beside a generated cash pair (definition.json): the
 * ledger's entry id and the statement's line id name the rows, and the matching
 * rules pair them, most certain evidence first. Written as JSON; `satisfies`
 * keeps it in step with the strict schema at compile time.
 */
export const CASH_DEFINITION = {
  name: 'Cash ledger vs bank statement (generated)',
  description: 'A cash ledger (A) against the bank statement (B): no shared key, rows paired by reference, name, amount and date.',
  key: ['entry_id'],
  sources: { a: { format: 'csv' }, b: { format: 'csv' } },
  fields: [
    { name: 'entry_id', b: 'line_id', type: 'string' },
    { name: 'value_date', type: 'date' },
    { name: 'currency', type: 'string', case: 'upper' },
    { name: 'amount', type: 'decimal', scale: 2 },
    { name: 'counterparty', b: 'counterparty_name', type: 'string', case: 'upper' },
    { name: 'reference', b: 'narrative', type: 'string' },
  ],
  normalize: { trim: true },
  compareUnlisted: false,
  currencyField: 'currency',
  matching: {
    amountField: 'amount',
    dateField: 'value_date',
    maxGroupSize: 6,
    maxGroupCandidates: 12,
    rules: [
      {
        // The ledger's reference found in the narrative, however mangled; a week covers a 3-business-day lag over a weekend.
        // minLength 8: a purchase order (PO/188123) is 8 letters and digits, and a reference shorter than minLength is
        // never found. A part cut short counts only where the narrative does not go on with a digit, and scores half,
        // so "INV-2026-00" of INV-2026-000864 in "INV2026000833" (another invoice) is no match.
        name: 'reference',
        type: '1:1',
        conditions: [{ equal: 'currency' }, { amount: {} }, { date: { days: 7 } }, { reference: { field: 'reference', textOn: 'b', minLength: 8 } }],
      },
      {
        // No usable reference: the same amount, close in date, from a counterparty whose name is spelt alike.
        name: 'name-amount-date',
        type: '1:1',
        conditions: [{ equal: 'currency' }, { amount: {} }, { date: { businessDays: 3 } }, { similar: { field: 'counterparty', min: 0.85 } }],
      },
      {
        // An invoice paid in instalments over the following days. The reference ranks the subsets (an instalment's
        // narrative often quotes the invoice): a busy counterparty's lines sum to an invoice more than one way.
        name: 'instalments',
        type: '1:N',
        groupBy: ['counterparty'],
        conditions: [
          { equal: 'currency' },
          { amount: { abs: '0.00' } },
          { date: { businessDays: 10 } },
          { similar: { field: 'counterparty', min: 0.85 } },
          { reference: { field: 'reference', textOn: 'b', minLength: 8 } },
        ],
      },
      {
        // Several invoices of one counterparty settled by one transfer. The narrative often lists the invoices it pays:
        // the subset whose references it holds beats another that sums alike (not required: many list none).
        name: 'settlement',
        type: 'N:1',
        groupBy: ['counterparty'],
        conditions: [
          { equal: 'currency' },
          { amount: { abs: '0.00' } },
          { date: { businessDays: 5 } },
          { similar: { field: 'counterparty', min: 0.85 } },
          { reference: { field: 'reference', textOn: 'b', minLength: 8 } },
        ],
      },
      {
        // Partial payments against a few invoices, agreeing only in total. Before the fee rules: an exact sum is
        // stronger evidence than one within 5.00, which a busy counterparty's rows reach by chance.
        name: 'partial-payments',
        type: 'N:M',
        groupBy: ['counterparty'],
        maxGroupSize: 3,
        conditions: [{ equal: 'currency' }, { amount: { abs: '0.00' } }, { date: { businessDays: 5 } }, { similar: { field: 'counterparty', min: 0.85 } }],
      },
      {
        // A transfer short (or long) of an intermediary bank's fee.
        name: 'fee-deducted',
        type: '1:1',
        conditions: [{ equal: 'currency' }, { amount: { abs: '5.00' } }, { date: { businessDays: 3 } }, { similar: { field: 'counterparty', min: 0.85 } }],
      },
      {
        name: 'settlement-net-of-fees',
        type: 'N:1',
        groupBy: ['counterparty'],
        conditions: [
          { equal: 'currency' },
          { amount: { abs: '5.00' } },
          { date: { businessDays: 5 } },
          { similar: { field: 'counterparty', min: 0.85 } },
          { reference: { field: 'reference', textOn: 'b', minLength: 8 } },
        ],
      },
    ],
  },
} as const satisfies DefinitionInput;
