import type { DefinitionInput } from '../definition/schema.ts';
import { FX_RATES } from './reference-data.ts';

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
  // The rates FX_DIFF breaks were made with, so attribution can recognise them.
  attribution: { threshold: 0.9, unknownRateLimit: 0.05, fxRates: { ...FX_RATES } },
} as const satisfies DefinitionInput;
