import { describe, expect, it } from 'vitest';
import { definitionSchema, type FilePreview } from '../../../../engine/contract/index.ts';
import { draftProblems, emptyDraft, suggestRows, suggestSource, toDefinition } from './draft.ts';
import { inferType, suggestValueMap } from './infer.ts';
import { nameSimilarity, suggestMapping } from './suggest.ts';

const A_COLUMNS = ['TradeID', 'TradeDate', 'SettleDate', 'Side', 'Counterparty', 'ISIN', 'Quantity', 'Price', 'Notional', 'Currency', 'Book'];
const B_COLUMNS = ['trade_ref', 'trade_dt', 'settle_dt', 'buy_sell', 'cpty', 'isin', 'qty', 'px', 'net_amount', 'ccy', 'book'];

const preview = (columns: string[], rows: string[][], delimiter: string): FilePreview => ({ path: 'x', format: 'csv', bytes: 1, delimiter, columns, rows, warnings: [] });
const A = preview(
  A_COLUMNS,
  [
    ['T00000001', '2024-06-26', '2024-06-28', 'BUY', 'GLOBEX LIMITED', 'US231Q967488', '441000', '88.6173', '39080229.30', 'USD', 'PB01'],
    ['T00000002', '2024-06-28', '2024-07-02', 'SELL', 'GLOBEX LIMITED', 'GB7F41275545', '4100', '13.9900', '57359.00', 'GBP', 'EQNYC'],
  ],
  ',',
);
const B = preview(
  B_COLUMNS,
  [
    ['T00001743', '26/06/2024', '28/06/2024', 'S', 'ELLINGSON MINERAL COMPANY', 'DE1483946478', '7400', '40,8400', '302216,00', 'EUR', 'EQLDN'],
    ['T00000871', '25/06/2024', '27/06/2024', 'B', 'WEYLAND-YUTANI CORPORATION', 'US2W34676039', '3800', '95,2159', '361820,42', 'USD', 'ARB2'],
  ],
  ';',
);

describe('column suggestions', () => {
  it('maps the trade extract to the custodian file by name', () => {
    expect(Object.fromEntries(suggestMapping(A_COLUMNS, B_COLUMNS))).toEqual(Object.fromEntries(A_COLUMNS.map((a, i) => [a, B_COLUMNS[i]])));
  });

  it('leaves an unrelated column unmapped and uses each B column once', () => {
    const m = suggestMapping(['TradeID', 'Trader', 'Venue'], ['trade_ref', 'portfolio']);
    expect(m.get('TradeID')).toBe('trade_ref');
    expect(m.get('Venue')).toBeNull();
    expect(nameSimilarity('Quantity', 'qty')).toBeGreaterThan(nameSimilarity('Quantity', 'ccy'));
  });

  it('guesses types, decimal comma, day-first dates and code maps from values', () => {
    expect(inferType(['2024-06-26', '26/06/2024'])).toBe('date');
    expect(inferType(['441000', '3800'])).toBe('integer');
    expect(inferType(['00123', '00456'])).toBe('string');
    expect(inferType(['88.6173', '40,8400'])).toBe('decimal');
    expect(suggestValueMap(['BUY', 'SELL'], ['S', 'B'])).toEqual({ S: 'SELL', B: 'BUY' });
    expect(suggestValueMap(['BUY', 'SELL'], ['BUY'])).toBeNull();
    expect(suggestSource({ path: 'b.csv', delimiter: '', decimalSeparator: '.', dateFormat: '' }, B)).toMatchObject({ delimiter: ';', decimalSeparator: ',', dateFormat: '%d/%m/%Y' });
  });
});

describe('the draft', () => {
  it('turns previews into a valid definition with key, types, scales and maps', () => {
    const draft = { ...emptyDraft(), name: 'Trades', a: { ...emptyDraft().a, path: 'a.csv' }, b: suggestSource({ ...emptyDraft().b, path: 'b.csv' }, B), rows: suggestRows(A, B) };
    expect(draftProblems(draft)).toEqual([]);
    const def = definitionSchema.parse(toDefinition(draft));
    expect(def.key).toEqual(['TradeID']);
    expect(def.sources.b).toMatchObject({ delimiter: ';', decimalSeparator: ',', dateFormat: '%d/%m/%Y' });
    expect(def.fields.find((f) => f.name === 'Price')).toMatchObject({ b: 'px', type: 'decimal', scale: 4 });
    expect(def.fields.find((f) => f.name === 'Side')).toMatchObject({ b: 'buy_sell', map: { b: { S: 'SELL', B: 'BUY' } } });
    expect(def.currencyField).toBe('Currency');
    expect(def.fields.find((f) => f.name === 'Currency')).toMatchObject({ b: 'ccy', case: 'upper' });
    expect(def.fields.find((f) => f.name === 'Counterparty')?.case).toBeUndefined();
    expect(def.compareUnlisted).toBe(false);
  });

  it('says what is missing before it can run', () => {
    expect(draftProblems(emptyDraft())).toEqual(['Give both files.', 'Preview both files to map their columns.', 'Name the definition.']);
  });
});
