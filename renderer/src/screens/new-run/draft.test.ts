import { describe, expect, it } from 'vitest';
import { definitionSchema, type DefinitionInput, type FilePreview, type InferenceReportDto } from '../../../../engine/contract/index.ts';
import { acceptRule, chooseDateFormat, draftProblems, emptyDraft, fromInference, fromSaved, fxRateProblems, plainRows, rowProblem, toDefinition, withPreview } from './draft.ts';

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

  it('fills the field’s tolerance from an accepted tolerance proposal, and clears it when declined', () => {
    const tolerance = { ...report.rules[0]!, kind: 'abs-tolerance' as const, value: 400, adjust: {}, tolerance: { abs: '400' }, reason: '99.6% of matched records differ by ≤ 400' };
    const d = fromInference(withPaths(), definition, { ...report, rules: [...report.rules, tolerance] });
    const accepted = acceptRule(d, 1, true);
    expect(accepted.rows.find((r) => r.a === 'Notional')?.abs).toBe('400');
    const field = toDefinition(accepted).fields?.find((f) => f.name === 'Notional');
    expect(field).toMatchObject({ tolerance: { abs: '400' } });
    expect(field).not.toHaveProperty('adjust');
    expect(definitionSchema.safeParse(toDefinition(accepted)).success).toBe(true);
    expect(acceptRule(accepted, 1, false).rows.find((r) => r.a === 'Notional')?.abs).toBe('');
    // A tolerance the person typed over the proposal stays when the proposal is declined.
    const edited = { ...accepted, rows: accepted.rows.map((r) => (r.a === 'Notional' ? { ...r, abs: '250' } : r)) };
    expect(acceptRule(edited, 1, false).rows.find((r) => r.a === 'Notional')?.abs).toBe('250');
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

describe('a loaded definition saved unchanged (issue 13 item 22)', () => {
  /** Every option of the definition schema, each with a value other than its default. */
  const everyOption: DefinitionInput = {
    $schema: 'https://example.com/definition.schema.json',
    name: 'Every option',
    description: 'uses every schema option',
    key: ['Book', 'TradeID'],
    emptyKeyParts: 'match',
    sources: {
      a: {
        format: 'csv',
        delimiter: '|',
        quote: "'",
        escape: '\\',
        header: true,
        encoding: 'windows-1252',
        decimalSeparator: ',',
        thousandsSeparator: '.',
        dateFormat: ['%d/%m/%Y', '%Y-%m-%d'],
        timestampFormat: '%d/%m/%Y %H:%M',
        nullValues: ['N/A', '-'],
        skipRows: 2,
      },
      b: { format: 'xlsx', sheet: 'Trades', header: false, columns: ['book', 'trade_ref', 'qty', 'px', 'settle', 'ts', 'side', 'flag', 'ccy'], dateFormat: '%m/%d/%Y', timestampFormat: ['%Y-%m-%dT%H:%M:%S'] },
    },
    fields: [
      { name: 'Book', b: 'book', type: 'string', case: 'upper', trim: false },
      { name: 'TradeID', b: 'trade_ref', type: 'string', case: 'none', map: { a: { X1: 'Y1' }, b: { x1: 'y1' } } },
      { name: 'Qty', b: 'qty', type: 'integer', tolerance: { abs: '1' }, adjust: { b: { multiply: '-1' } } },
      { name: 'Price', b: 'px', type: 'decimal', scale: 4, rounding: 'reject', tolerance: { abs: '0.0001', rel: '0.001' }, adjust: { a: { multiply: '2' }, b: { multiply: '0.01' } } },
      { name: 'Settle', b: 'settle', type: 'date', dateFormat: { a: '%Y%m%d', b: ['%d.%m.%Y', '%d/%m/%Y'] }, tolerance: { days: 1 }, adjust: { b: { shiftBusinessDays: -1 } } },
      { name: 'Stamp', b: 'ts', type: 'timestamp', dateFormat: '%Y-%m-%d %H:%M', adjust: { a: { shiftDays: 1 } } },
      { name: 'Side', b: 'side', type: 'string', map: { a: { Buy: 'BUY' } } },
      { name: 'Flag', b: 'flag', type: 'boolean', compare: false, trim: true },
      { name: 'Ccy', b: 'ccy', type: 'string' },
    ],
    normalize: { trim: false, case: 'lower', rounding: 'reject' },
    compareUnlisted: false,
    currencyField: 'Ccy',
    asOfField: 'Settle',
    attribution: { threshold: 0.8, unknownRateLimit: 0.1, fxRates: { EURUSD: '1.0850', GBPUSD: '1.27' } },
    matching: {
      amountField: 'Price',
      dateField: 'Settle',
      maxGroupSize: 4,
      maxGroupCandidates: 10,
      rules: [
        {
          name: 'by reference',
          type: '1:1',
          conditions: [{ equal: 'Ccy' }, { amount: { abs: '0.01' } }, { date: { businessDays: 2 } }, { reference: { field: 'Side', textOn: 'b', minLength: 6 } }, { similar: { field: 'Book', min: 0.9 } }],
        },
        { name: 'several to one', type: 'N:1', groupBy: ['Book'], maxGroupSize: 3, conditions: [{ amount: {} }, { date: { days: 3 } }] },
      ],
    },
  };

  it('is the original, every option kept', () => {
    expect(definitionSchema.safeParse(everyOption).success).toBe(true);
    expect(toDefinition(fromSaved(withPaths(), everyOption, null))).toEqual(everyOption);
  });

  it('keeps the options when the files are previewed first, and when saved twice', () => {
    const columns = ['Book', 'TradeID', 'Qty', 'Price', 'Settle', 'Stamp', 'Side', 'Flag', 'Ccy'];
    const once = toDefinition(fromSaved(withPaths(), everyOption, columns));
    expect(once).toEqual(everyOption);
    expect(toDefinition(fromSaved(withPaths(), once, columns))).toEqual(everyOption);
  });

  it('means the same as a sparse original: schema defaults (compareUnlisted true) are not changed', () => {
    const sparse: DefinitionInput = { name: 'Sparse', key: ['ID'], fields: [{ name: 'ID' }, { name: 'Amount', type: 'decimal' }] };
    expect(definitionSchema.parse(toDefinition(fromSaved(withPaths(), sparse, null)))).toEqual(definitionSchema.parse(sparse));
  });

  it('carries FX rates edited in the form into attribution.fxRates, keeping the other attribution settings', () => {
    const d = fromSaved(withPaths(), everyOption, null);
    expect(d.fxRates).toEqual([
      { pair: 'EURUSD', rate: '1.0850' },
      { pair: 'GBPUSD', rate: '1.27' },
    ]);
    const edited = { ...d, fxRates: [{ pair: 'eurusd ', rate: ' 1.09' }, { pair: 'USDJPY', rate: '151.2' }, { pair: '', rate: '' }] };
    expect(toDefinition(edited).attribution).toEqual({ threshold: 0.8, unknownRateLimit: 0.1, fxRates: { EURUSD: '1.09', USDJPY: '151.2' } });
    expect(toDefinition({ ...d, fxRates: [] }).attribution).toEqual({ threshold: 0.8, unknownRateLimit: 0.1 });
    expect(toDefinition({ ...emptyDraft(), fxRates: [{ pair: 'EURGBP', rate: '0.85' }] }).attribution).toEqual({ fxRates: { EURGBP: '0.85' } });
  });

  it('keeps FX rates typed before the inference pre-filled the form', () => {
    const typed = { ...withPaths(), fxRates: [{ pair: 'EURUSD', rate: '1.1' }] };
    const d = fromInference(typed, definition, report);
    expect(d.fxRates).toEqual([{ pair: 'EURUSD', rate: '1.1' }]);
    expect(toDefinition(d).attribution).toEqual({ fxRates: { EURUSD: '1.1' } });
  });

  it('names an FX rate the schema would refuse, and a pair given twice', () => {
    const d = { ...fromSaved(withPaths(), everyOption, null), fxRates: [{ pair: 'EUR/USD', rate: '1.1' }, { pair: 'GBPUSD', rate: '-1' }, { pair: 'GBPUSD', rate: '1.2' }] };
    expect(fxRateProblems(d.fxRates)).toEqual(['FX rate 1: "EUR/USD" is not a currency pair like EURUSD.', 'FX rate 2: "-1" is not a positive decimal like 1.0850.', 'FX rate 3: GBPUSD is given twice.']);
    expect(draftProblems(d)).toEqual(expect.arrayContaining(['FX rate 1: "EUR/USD" is not a currency pair like EURUSD.']));
  });
});

describe('a query or HTTP side', () => {
  const query = { kind: 'query' as const, connection: 'ledger', sql: 'SELECT id, amount FROM trades WHERE d = :asOf AND n > :n ORDER BY id', params: { asOf: '2026-12-01', n: 5 }, timeoutSeconds: 600 };
  const http = { kind: 'http' as const, connection: 'api', path: '/trades', records: '/data/items', pagination: { kind: 'cursor' as const, cursor: '/meta/next', param: 'cursor' }, params: { desk: 'fx' } };
  const saved: DefinitionInput = { name: 'ledger vs api', key: ['id'], sources: { a: query, b: http }, fields: [{ name: 'id', type: 'integer' }] };

  it('a saved definition with a query and an HTTP side saves unchanged, parameters keeping their types', () => {
    // "Run again": the run recorded labels where paths go; a query or HTTP side keeps no path.
    const d = fromSaved({ ...emptyDraft(), a: { ...emptyDraft().a, path: 'query:ledger' }, b: { ...emptyDraft().b, path: 'http:api' } }, saved, null);
    expect(d.a).toMatchObject({ kind: 'query', path: '', connection: 'ledger', params: [{ name: 'asOf', value: '2026-12-01' }, { name: 'n', value: '5' }] });
    expect(d.b).toMatchObject({ kind: 'http', path: '', connection: 'api', httpPath: '/trades', records: '/data/items' });
    const out = definitionSchema.parse(toDefinition(d));
    expect(out.sources).toEqual(definitionSchema.parse(saved).sources);
    expect(draftProblems(d)).toEqual([]);
  });

  it('a file side switched to a query drops the file options the schema refuses, and says what the side still needs', () => {
    const d = { ...withPaths(), a: { ...emptyDraft().a, path: '/x/a.csv', delimiter: ';', decimalSeparator: ',' as const, other: { encoding: 'windows-1252' as const, timeoutSeconds: 5 }, kind: 'query' as const } };
    expect(draftProblems(d)).toEqual(['Source A: pick a connection.', 'Preview both sources to map their columns.', 'Name the definition.']);
    const ready = { ...d, name: 'x', a: { ...d.a, connection: 'ledger', sql: 'SELECT 1 AS id' }, rows: plainRows(preview(['id'], ''), preview(['id'], ',')).map((r) => ({ ...r, isKey: true })) };
    expect(draftProblems(ready)).toEqual([]);
    const written = toDefinition(ready);
    expect(written.sources?.a).toEqual({ kind: 'query', connection: 'ledger', sql: 'SELECT 1 AS id', timeoutSeconds: 5 });
    expect(definitionSchema.safeParse(written).success).toBe(true);
    expect(draftProblems({ ...ready, a: { ...ready.a, sql: ' ' } })).toEqual(['Source A: write its query.']);
    // Back to a file: its file options return, the query's own go.
    const back = toDefinition({ ...ready, a: { ...ready.a, kind: 'file' } });
    expect(back.sources?.a).toEqual({ encoding: 'windows-1252', delimiter: ';', decimalSeparator: ',' });
    expect(definitionSchema.safeParse(back).success).toBe(true);
  });
});
