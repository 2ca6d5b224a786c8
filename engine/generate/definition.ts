import type { DefinitionInput } from '../definition/schema.ts';

/**
 * The recon definition that matches the generated files. Written as definition.json;
 * `satisfies` keeps it in step with the strict schema at compile time.
 */
export const GENERATED_DEFINITION = {
  name: 'Trades vs custodian (generated)',
  key: ['TradeID'],
  sources: {
    a: { format: 'csv' },
    b: { format: 'csv', delimiter: ';', decimalSeparator: ',', dateFormat: '%d/%m/%Y', encoding: 'utf-8' },
  },
  fields: [
    { name: 'TradeID', b: 'trade_ref', type: 'string' },
    { name: 'TradeDate', b: 'trade_dt', type: 'date', tolerance: { days: 0 } },
    { name: 'SettleDate', b: 'settle_dt', type: 'date', tolerance: { days: 0 } },
    { name: 'Side', b: 'buy_sell', type: 'string', map: { b: { B: 'BUY', S: 'SELL' } } },
    { name: 'Counterparty', b: 'cpty', type: 'string' },
    { name: 'ISIN', b: 'isin', type: 'string' },
    { name: 'Quantity', b: 'qty', type: 'integer' },
    { name: 'Price', b: 'px', type: 'decimal', scale: 4, tolerance: { abs: '0.00001' } },
    { name: 'Notional', b: 'net_amount', type: 'decimal', scale: 2, tolerance: { abs: '0.005', rel: '0.0001' } },
    { name: 'Currency', b: 'ccy', type: 'string', case: 'upper' },
    { name: 'Book', b: 'book', type: 'string' },
  ],
  normalize: { trim: true },
  compareUnlisted: true,
  currencyField: 'Currency',
} as const satisfies DefinitionInput;
