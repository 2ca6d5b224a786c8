import { describe, expect, it } from 'vitest';
import { definitionSchema, type DefinitionInput, type FilePreview, type InferenceReportDto } from '../../../../engine/contract/index.ts';
import { chooseDateFormat, draftProblems, emptyDraft, fromInference, fromSaved, plainRows, rowProblem, toDefinition, withPreview } from './draft.ts';

const preview = (columns: string[], delimiter: string): FilePreview => ({ path: 'x', format: 'csv', bytes: 1, delimiter, columns, rows: [], warnings: [] });
const choice = <T,>(value: T, reason = 'because') => ({ value, confidence: 0.95, reason });

const definition: DefinitionInput = {
  name: 'a.csv vs b.csv (inferred)',
  key: ['TradeID'],
  sources: { a: {}, b: { delimiter: ';', decimalSeparator: ',', dateFormat: '%d/%m/%Y', encoding: 'windows-1252', thousandsSeparator: '.' } },
  fields: [
    { name: 'TradeID', b: 'trade_ref', type: 'string' },
    { name: 'Side', b: 'buy_sell', type: 'string', map: { b: { B: 'BUY', S: 'SELL' } } },
    { name: 'Notional', b: 'net_amount', type: 'decimal', scale: 2 },
    { name: 'TradeDate', b: 'trade_dt', type: 'date', compare: false },
  ],
  normalize: { trim: true },
  compareUnlisted: false,
  currencyField: 'Ccy',
};

const dialect = (side: 'a' | 'b', columns: string[]) => ({
  side,
  path: `${side}.csv`,
  format: choice('csv'),
  encoding: choice('utf-8'),
  header: choice(true),
  decimalSeparator: choice('.' as const),
  dateFormats: [],
  columns,
  rows: 10,
  rowsExact: true,
  sampled: 10,
});

const report: InferenceReportDto = {
  files: { a: dialect('a', ['TradeID', 'Side', 'Notional', 'TradeDate', 'Trader']), b: dialect('b', ['trade_ref', 'buy_sell', 'net_amount', 'trade_dt']) },
  columns: { a: [], b: [] },
  key: { ...choice(['TradeID']), bColumns: ['trade_ref'], overlap: 1, duplicatesA: 0, duplicatesB: 0, alternatives: [] },
  fields: [
    { name: 'Side', b: 'buy_sell', mapping: choice('buy_sell', 'values match'), type: choice('string' as const), map: choice({ B: 'BUY', S: 'SELL' }, 'codes'), agreement: 1 },
    { name: 'Notional', b: 'net_amount', mapping: choice('net_amount'), type: choice('decimal' as const), agreement: 0.01 },
    { name: 'TradeDate', b: 'trade_dt', mapping: choice('trade_dt'), type: choice('date' as const), agreement: null, notCompared: 'dd/mm or mm/dd' },
  ],
  unmatched: { a: ['Trader'], b: [] },
  refusedMaps: [],
  rules: [
    {
      field: 'Notional',
      kind: 'scale',
      value: 100,
      explains: 99,
      differing: 100,
      compared: 100,
      estimatedRecords: 990,
      columnWide: true,
      reason: 'B is A ×100',
      exampleKeys: ['T1'],
      adjust: { b: { multiply: '0.01' } },
    },
  ],
  questions: [{ field: 'TradeDate', side: 'b', message: 'dd/mm or mm/dd?', options: ['%d/%m/%Y', '%m/%d/%Y'] }],
  warnings: [],
  sample: { rows: 10, seed: 42, matchedRecords: 10 },
  timings: {},
};

const withPaths = () => ({ ...emptyDraft(), a: { ...emptyDraft().a, path: '/x/a.csv' }, b: { ...emptyDraft().b, path: '/x/b.csv' } });

describe('the draft pre-filled from inference', () => {
  it('reproduces the inferred definition when the person accepts it as is', () => {
    const d = fromInference(withPaths(), definition, report);
    expect(d.rows.map((r) => [r.a, r.b])).toEqual([
      ['TradeID', 'trade_ref'],
      ['Side', 'buy_sell'],
      ['Notional', 'net_amount'],
      ['TradeDate', 'trade_dt'],
      ['Trader', null],
    ]);
    expect(d.rows.find((r) => r.a === 'Side')?.hint?.map?.reason).toBe('codes');
    const out = definitionSchema.parse(toDefinition(d));
    expect(out.key).toEqual(['TradeID']);
    expect(out.sources.b).toEqual(definition.sources?.b);
    expect(out.fields).toEqual(definitionSchema.parse(definition).fields);
    expect(out.currencyField).toBe(undefined); // Ccy is not among the mapped fields
    expect(draftProblems(d)).toEqual([]);
  });

  it('merges an accepted rule into the field, and drops it when declined', () => {
    const d = fromInference(withPaths(), definition, report);
    expect(toDefinition(d).fields?.find((f) => f.name === 'Notional')).not.toHaveProperty('adjust');
    const accepted = { ...d, rules: d.rules.map((r) => ({ ...r, accepted: true })) };
    expect(toDefinition(accepted).fields?.find((f) => f.name === 'Notional')).toMatchObject({ adjust: { b: { multiply: '0.01' } } });
  });

  it('compares a field once its date question is answered', () => {
    const d = fromInference(withPaths(), definition, report);
    const rows = chooseDateFormat(d.rows, 'TradeDate', 'b', '%m/%d/%Y');
    expect(toDefinition({ ...d, rows }).fields?.find((f) => f.name === 'TradeDate')).toEqual({ name: 'TradeDate', b: 'trade_dt', type: 'date', dateFormat: { b: '%m/%d/%Y' } });
  });

  it('keeps a name the person already typed', () => {
    expect(fromInference({ ...withPaths(), name: 'Mine' }, definition, report).name).toBe('Mine');
    expect(fromInference(withPaths(), definition, report).name).toBe('a.csv vs b.csv (inferred)');
  });
});

describe('without inference', () => {
  it('maps columns of the same name ignoring case, as text, with no key until one is chosen', () => {
    const rows = plainRows(preview(['ID', 'Amount', 'Note'], ','), preview(['id', 'amount'], ','));
    expect(rows.map((r) => [r.a, r.b, r.type])).toEqual([
      ['ID', 'id', 'string'],
      ['Amount', 'amount', 'string'],
      ['Note', null, 'string'],
    ]);
    const d = { ...withPaths(), name: 'x', rows };
    expect(draftProblems(d)).toEqual(['Choose at least one key column that exists on both sides.']);
    rows[0]!.isKey = true;
    expect(toDefinition({ ...d, rows })).toMatchObject({ key: ['ID'], fields: [{ name: 'ID', b: 'id' }, { name: 'Amount', b: 'amount' }] });
  });

  it('takes the delimiter a preview was read with, unless one was chosen', () => {
    expect(withPreview(emptyDraft().a, preview(['x'], ';')).delimiter).toBe(';');
    expect(withPreview({ ...emptyDraft().a, delimiter: '|' }, preview(['x'], ';')).delimiter).toBe('|');
  });

  it('names what keeps an empty draft from running', () => {
    expect(draftProblems(emptyDraft())).toEqual(['Give both files.', 'Preview both files to map their columns.', 'Name the definition.']);
  });
});

describe('a saved definition run on new files', () => {
  const saved: DefinitionInput = {
    name: 'Trades vs custodian',
    description: 'daily, 07:00',
    key: ['Book', 'TradeID'],
    sources: { a: { encoding: 'windows-1252' }, b: { delimiter: ';', decimalSeparator: ',', dateFormat: '%d/%m/%Y' } },
    fields: [
      { name: 'Book', type: 'string', case: 'upper' },
      { name: 'TradeID', b: 'trade_ref', type: 'string' },
      { name: 'Notional', b: 'net_amount', type: 'decimal', scale: 2, tolerance: { abs: '0.005', rel: '0.0001' }, adjust: { b: { multiply: '0.01' } } },
      { name: 'SettleDate', b: 'settle_dt', type: 'date', tolerance: { days: 1 }, dateFormat: { b: '%m/%d/%Y' } },
    ],
    normalize: { trim: false },
    compareUnlisted: true,
    attribution: { threshold: 0.8, unknownRateLimit: 0.1 },
  };

  it('gives back the same definition when nothing is changed', () => {
    const d = fromSaved(withPaths(), saved, null);
    expect(d.origin).toBe('saved');
    expect(definitionSchema.parse(toDefinition(d))).toEqual(definitionSchema.parse(saved));
  });

  it('lists the previewed A columns it does not use as unmapped rows, and keeps its own name', () => {
    const d = fromSaved({ ...withPaths(), name: 'typed before' }, saved, ['TradeID', 'Trader', 'Book', 'Notional', 'SettleDate']);
    expect(d.rows.map((r) => [r.a, r.b])).toEqual([
      ['TradeID', 'trade_ref'],
      ['Trader', null],
      ['Book', 'Book'],
      ['Notional', 'net_amount'],
      ['SettleDate', 'settle_dt'],
    ]);
    expect(d.name).toBe('Trades vs custodian');
    expect(definitionSchema.parse(toDefinition(d)).fields).toEqual(definitionSchema.parse(saved).fields.sort((x, y) => ['TradeID', 'Book', 'Notional', 'SettleDate'].indexOf(x.name) - ['TradeID', 'Book', 'Notional', 'SettleDate'].indexOf(y.name)));
  });

  it('names a saved definition\'s column that the files do not have, on its row and among the problems', () => {
    const saved = fromSaved({ ...emptyDraft(), a: { ...emptyDraft().a, path: 'a.csv' }, b: { ...emptyDraft().b, path: 'b.csv' } }, { ...definition, fields: [...(definition.fields ?? []).slice(0, 2), { name: 'Notional', b: 'net_amt', type: 'decimal' }] }, null);
    const columns = { a: ['TradeID', 'Side', 'Notional'], b: ['trade_ref', 'BUY_SELL', 'net_amount'] };
    const notional = saved.rows.find((r) => r.a === 'Notional')!;
    expect(rowProblem(notional, columns)).toMatch(/"net_amt" is not a column of B/);
    // Bound ignoring case, as the engine binds them.
    expect(rowProblem(saved.rows.find((r) => r.a === 'Side')!, columns)).toBeNull();
    expect(draftProblems(saved, columns)).toEqual([expect.stringMatching(/^Notional: "net_amt" is not a column of B/)]);
    // Unknown columns: nothing to say yet.
    expect(draftProblems(saved)).toEqual([]);
    const fixed = { ...saved, rows: saved.rows.map((r) => (r.a === 'Notional' ? { ...r, b: 'net_amount' } : r)) };
    expect(draftProblems(fixed, columns)).toEqual([]);
  });
});
