import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ReconError } from '../errors/recon-error.ts';
import { definitionJsonSchema } from './json-schema.ts';
import { parseDefinitionText } from './load.ts';
import { resolveDefinition } from './resolve.ts';

const issueExample = {
  name: 'Trades vs custodian',
  key: ['TradeID'],
  sources: {
    a: { format: 'csv' },
    b: { format: 'csv', delimiter: ';', decimalSeparator: ',', dateFormat: '%d/%m/%Y', encoding: 'utf-8' },
  },
  fields: [
    { name: 'TradeID', b: 'trade_ref', type: 'string' },
    { name: 'Side', b: 'buy_sell', type: 'string', map: { b: { B: 'BUY', S: 'SELL' } } },
    { name: 'Price', b: 'px', type: 'decimal', scale: 4, tolerance: { abs: '0.00001' } },
    { name: 'Notional', b: 'net_amount', type: 'decimal', scale: 2, tolerance: { abs: '0.005', rel: '0.0001' } },
    { name: 'SettleDate', b: 'settle_dt', type: 'date', tolerance: { days: 0 } },
    { name: 'Currency', b: 'ccy', type: 'string', case: 'upper' },
  ],
  normalize: { trim: true },
  compareUnlisted: true,
};

function errorOf(fn: () => unknown): ReconError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ReconError) return err;
    throw err;
  }
  throw new Error('expected an error');
}

describe('recon definition', () => {
  it('accepts the shape from the issue, with defaults filled in', () => {
    const def = parseDefinitionText(JSON.stringify(issueExample));
    expect(def.attribution).toEqual({ threshold: 0.9, unknownRateLimit: 0.05 });
    expect(def.fields.find((f) => f.name === 'Notional')?.tolerance).toEqual({ abs: '0.005', rel: '0.0001' });
  });

  it('names the JSON line and column of a syntax error', () => {
    const err = errorOf(() => parseDefinitionText('{\n  "name": "x",\n  "key": [,]\n}', 'def.json'));
    expect(err.code).toBe('DEFINITION_INVALID');
    expect(err.message).toMatch(/^def\.json, line 3, column \d+/);
  });

  it('names the path of every invalid setting', () => {
    const bad = { ...issueExample, fields: [{ name: 'Price', type: 'decimal', tolerance: { abs: '1e-5x' } }, { name: 'D', type: 'string', tolerance: { days: 1 } }] };
    const err = errorOf(() => parseDefinitionText(JSON.stringify(bad), 'def.json'));
    expect(err.message).toContain('fields[0].tolerance.abs');
    expect(err.message).toContain('fields[1].tolerance.days');
  });

  it('accepts per-side adjust rules on the types they fit', () => {
    const def = parseDefinitionText(
      JSON.stringify({
        ...issueExample,
        fields: [
          { name: 'Notional', type: 'decimal', scale: 2, adjust: { b: { multiply: '0.01' } } },
          { name: 'Quantity', type: 'integer', adjust: { a: { multiply: '-1' }, b: { multiply: '100.00' } } },
          { name: 'SettleDate', type: 'date', adjust: { b: { shiftBusinessDays: -1 } } },
          { name: 'Booked', type: 'timestamp', adjust: { a: { shiftDays: 1 } } },
        ],
      }),
    );
    expect(def.fields.map((f) => f.adjust)).toEqual([
      { b: { multiply: '0.01' } },
      { a: { multiply: '-1' }, b: { multiply: '100.00' } },
      { b: { shiftBusinessDays: -1 } },
      { a: { shiftDays: 1 } },
    ]);
    const r = resolveDefinition(def, { path: 'a.csv', columns: ['TradeID', 'Notional', 'Quantity', 'SettleDate', 'Booked'] }, { path: 'b.csv', columns: ['TradeID', 'Notional', 'Quantity', 'SettleDate', 'Booked'] });
    expect(r.fields.find((f) => f.name === 'SettleDate')).toMatchObject({ adjustA: undefined, adjustB: { shiftBusinessDays: -1 } });
  });

  it('names the path of every adjust rule that does not fit its field', () => {
    const bad = {
      ...issueExample,
      fields: [
        { name: 'Side', type: 'string', adjust: { b: { multiply: '0.01' } } },
        { name: 'Price', type: 'decimal', adjust: { a: { shiftDays: 1 } } },
        { name: 'SettleDate', type: 'date', adjust: { b: { shiftDays: 1, shiftBusinessDays: 1 } } },
        { name: 'Quantity', type: 'integer', adjust: { b: { multiply: '0.01' } } },
        { name: 'Notional', type: 'decimal', adjust: { b: { multiply: '0.00' } } },
        { name: 'Fee', type: 'decimal', adjust: { b: { multiply: '1e-2' } } },
      ],
    };
    const err = errorOf(() => parseDefinitionText(JSON.stringify(bad), 'def.json'));
    expect(err.code).toBe('DEFINITION_INVALID');
    const issues = (err.details as { issues: string[] }).issues;
    expect(issues).toEqual(
      expect.arrayContaining([
        'fields[0].adjust.b.multiply: multiply applies to decimal and integer fields only (this field is string)',
        'fields[1].adjust.a.shiftDays: shiftDays applies to date and timestamp fields only (this field is decimal)',
        'fields[2].adjust.b: use shiftDays or shiftBusinessDays on one side, not both',
        expect.stringMatching(/^fields\[3\]\.adjust\.b\.multiply: an integer field can be multiplied by a whole number only; put the inverse factor on side a/),
        'fields[4].adjust.b.multiply: a factor of 0 would erase every value',
        expect.stringMatching(/^fields\[5\]\.adjust\.b\.multiply: a decimal factor written as a string/),
      ]),
    );
    expect(issues).toHaveLength(6);
    const halfDay = { ...issueExample, fields: [{ name: 'Booked', type: 'date', adjust: { b: { shiftDays: 1.5 } } }] };
    expect(errorOf(() => parseDefinitionText(JSON.stringify(halfDay))).message).toContain('fields[0].adjust.b.shiftDays');
  });

  it('rejects unknown keys instead of ignoring them', () => {
    const err = errorOf(() => parseDefinitionText(JSON.stringify({ ...issueExample, tolerance: {} })));
    expect(err.message).toMatch(/tolerance/);
  });

  it('binds fields to columns case-insensitively and adds unlisted common columns', () => {
    const def = parseDefinitionText(JSON.stringify(issueExample));
    const r = resolveDefinition(
      def,
      { path: 'a.csv', columns: ['TradeID', 'Side', 'Price', 'Notional', 'SettleDate', 'Currency', 'Book', 'OnlyA'] },
      { path: 'b.csv', columns: ['TRADE_REF', 'buy_sell', 'px', 'net_amount', 'settle_dt', 'ccy', 'book', 'OnlyB'] },
    );
    expect(r.fields.map((f) => [f.name, f.bColumn])).toContainEqual(['TradeID', 'TRADE_REF']);
    expect(r.fields.find((f) => f.name === 'Book')).toMatchObject({ bColumn: 'book', listed: false, type: 'string' });
    expect(r.fields.some((f) => f.name === 'OnlyA')).toBe(false);
    expect(r.currencyField?.name).toBe('Currency');
    expect(r.keyFields.map((k) => k.name)).toEqual(['TradeID']);
  });

  it('refuses a definition naming a column the file lacks, listing the columns it has', () => {
    const def = parseDefinitionText(JSON.stringify(issueExample));
    const err = errorOf(() =>
      resolveDefinition(def, { path: 'a.csv', columns: ['TradeID', 'Side', 'Price', 'Notional', 'SettleDate', 'Currency'] }, { path: 'b.csv', columns: ['trade_ref', 'buy_sell', 'price'] }),
    );
    expect(err.code).toBe('COLUMN_NOT_FOUND');
    expect(err.message).toContain('b.csv');
    expect(err.message).toContain('"px"');
    expect(err.message).toContain('"trade_ref", "buy_sell", "price"');
  });

  it('publishes a JSON Schema that matches the code (regenerate with `npx recon definition schema --out docs/definition.schema.json`)', () => {
    const published = JSON.parse(readFileSync(new URL('../../docs/definition.schema.json', import.meta.url), 'utf8'));
    expect(published).toEqual(definitionJsonSchema());
  });
});
