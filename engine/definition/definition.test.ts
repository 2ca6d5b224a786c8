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
