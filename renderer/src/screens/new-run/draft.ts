/**
 * The new-run form's state and the recon definition it stands for. The form
 * is pre-filled from the engine's inference (definitions.infer): every
 * suggestion keeps its confidence and reason so the screen can show why, and
 * the person confirms or changes it. Pure, so it is unit-tested without a
 * browser.
 */
import type { DefinitionInput, FieldType, FilePreview, InferenceReportDto, RuleProposalDto } from '../../../../engine/contract/index.ts';

type FieldInput = NonNullable<DefinitionInput['fields']>[number];
type SourceOptions = NonNullable<NonNullable<DefinitionInput['sources']>['a']>;
/** A field's per-side adjustment (scale, day shift, sign flip), as the definition writes it. */
export type FieldAdjust = NonNullable<FieldInput extends { adjust?: infer T } ? T : never>;
type Choice<T> = { value: T; confidence: number; reason: string };

/** What a side reads: a file, a query on a saved database connection, or an HTTP API through a saved connection. */
export type SourceKind = 'file' | 'query' | 'http';

/** A query's :name parameter, or an HTTP source's query parameter, as the form edits it (text). */
export interface ParamRow {
  name: string;
  value: string;
  /** The value as the definition gave it (a number, a boolean, null): written back as it was while the text is unchanged. */
  original?: string | number | boolean | null;
}

type Pagination = NonNullable<SourceOptions['pagination']>;

export interface SourceForm {
  kind: SourceKind;
  /** A file side's path. */
  path: string;
  /** A query or HTTP side: the saved connection (Settings → Connections). */
  connection: string;
  /** A query side: the SELECT, with :name parameters. */
  sql: string;
  params: ParamRow[];
  /** An HTTP side: the path under the connection's base URL, where the records are in each page, the body's kind and the pagination. */
  httpPath: string;
  records: string;
  response: 'json' | 'ndjson';
  pagination: Pagination | null;
  /** '' = sniffed by the engine. */
  delimiter: string;
  decimalSeparator: '.' | ',';
  /** strptime format; '' = ISO dates. */
  dateFormat: string;
  /** The definition's list of date formats, when it gave several: written back while `dateFormat` is still its first. */
  dateFormats?: string[];
  /** Other read options inference found (encoding, grouping, null markers, header, sheet…), kept as found. */
  other: Omit<SourceOptions, 'delimiter' | 'decimalSeparator' | 'dateFormat'>;
}

/** Why the engine suggested a row: what the mapping table shows beside it. */
export interface FieldHint {
  mapping: Choice<string>;
  type: Choice<FieldType>;
  map?: Choice<Record<string, string>>;
  case?: Choice<string>;
  /** Share of key-matched sample records that agree as the definition compares them. */
  agreement: number | null;
  /** Why the field is carried but not compared until a person decides. */
  notCompared?: string;
}

export interface FieldRow {
  a: string;
  /** The B column, or null when the field is not compared. */
  b: string | null;
  type: FieldType;
  scale: string;
  isKey: boolean;
  abs: string;
  rel: string;
  days: string;
  caseFold: 'none' | 'upper' | 'lower';
  /** B value → A value, applied to B before comparing. */
  mapB: Record<string, string> | null;
  /** False: carried into the results but not compared (e.g. dd/mm vs mm/dd undecided). */
  compare: boolean;
  /** Per-field date formats by side, when they differ from the source's. */
  dateFormat?: FieldInput['dateFormat'];
  adjust?: FieldAdjust;
  /** What the form does not edit but the definition said of the field: written back as it was. */
  kept?: KeptField;
  hint: FieldHint | null;
}

/** A field's options the form has no control for: rounding, its own trim, the A-side value map, an explicit case "none". */
export interface KeptField {
  rounding?: FieldInput['rounding'];
  trim?: boolean;
  mapA?: Record<string, string>;
  caseNone?: true;
}

/** One FX rate of attribution.fxRates as the form edits it. */
export interface FxRateRow {
  pair: string;
  rate: string;
}

/** A rule inference proposes (×100, a day shift, a sign flip, a tolerance) and whether the person accepted it. */
export interface RuleChoice {
  proposal: RuleProposalDto;
  accepted: boolean;
}

export interface Draft {
  /** Where the form came from: a blank form, the engine's inference, or a saved definition (inference then waits to be asked). */
  origin: 'blank' | 'inferred' | 'saved';
  name: string;
  a: SourceForm;
  b: SourceForm;
  rows: FieldRow[];
  trim: boolean;
  /** The field holding the currency for control totals; null = none. */
  currencyField: string | null;
  rules: RuleChoice[];
  /** The inference behind the pre-filled form, if it ran. */
  report: InferenceReportDto | null;
  /** Compare columns present on both sides but not listed (a saved definition may say so). */
  compareUnlisted: boolean;
  /** Known FX rates for attribution (attribution.fxRates), one row per currency pair. */
  fxRates: FxRateRow[];
  /** What the form does not edit but a saved definition holds: kept as they are (attribution without its FX rates). */
  kept: Pick<DefinitionInput, '$schema' | 'description' | 'attribution' | 'emptyKeyParts' | 'asOfField' | 'matching'> & { normalize?: Omit<NonNullable<DefinitionInput['normalize']>, 'trim'> };
}

export const emptySource = (): SourceForm => ({
  kind: 'file',
  path: '',
  connection: '',
  sql: '',
  params: [],
  httpPath: '',
  records: '',
  response: 'json',
  pagination: null,
  delimiter: '',
  decimalSeparator: '.',
  dateFormat: '',
  other: {},
});
export const emptyDraft = (): Draft => ({
  origin: 'blank',
  name: '',
  a: emptySource(),
  b: emptySource(),
  rows: [],
  trim: true,
  currencyField: null,
  rules: [],
  report: null,
  compareUnlisted: false,
  fxRates: [],
  kept: {},
});

const blankRow = (a: string, b: string | null): FieldRow => ({
  a,
  b,
  type: 'string',
  scale: '',
  isKey: false,
  abs: '',
  rel: '',
  days: '',
  caseFold: 'none',
  mapB: null,
  compare: true,
  hint: null,
});

/**
 * Rows when inference could not help (it failed, or is still to run): every
 * A column, bound to the B column of the same name ignoring case, as text.
 */
export function plainRows(a: FilePreview, b: FilePreview): FieldRow[] {
  const byLower = new Map(b.columns.map((c) => [c.toLowerCase(), c]));
  return a.columns.map((c) => blankRow(c, byLower.get(c.toLowerCase()) ?? null));
}

/** Source options of a preview: the delimiter it was read with. */
export function withPreview(form: SourceForm, p: FilePreview): SourceForm {
  return { ...form, delimiter: form.delimiter || (p.delimiter ?? '') };
}

const sourceForm = (path: string, s: SourceOptions | undefined): SourceForm => {
  const { delimiter, decimalSeparator, dateFormat, kind, connection, sql, params, path: httpPath, records, response, pagination, ...other } = s ?? {};
  return {
    kind: kind ?? 'file',
    // A query or HTTP side reads no file: the label a run recorded in place of a path is not one.
    path: kind === 'query' || kind === 'http' ? '' : path,
    connection: connection ?? '',
    sql: sql ?? '',
    params: Object.entries(params ?? {}).map(([name, v]) => ({ name, value: v === null ? '' : String(v), original: v })),
    httpPath: httpPath ?? '',
    records: records ?? '',
    response: response ?? 'json',
    pagination: pagination ?? null,
    delimiter: delimiter ?? '',
    decimalSeparator: decimalSeparator ?? '.',
    dateFormat: typeof dateFormat === 'string' ? dateFormat : (dateFormat?.[0] ?? ''),
    ...(Array.isArray(dateFormat) && dateFormat.length > 1 ? { dateFormats: dateFormat } : {}),
    other,
  };
};

/** A definition's field as a row of the form, with the engine's reasons when inference proposed it. */
function rowFromField(f: FieldInput, isKey: boolean, hint: FieldHint | null): FieldRow {
  const type = (f.type ?? 'string') as FieldType;
  const kept: KeptField = {
    ...(f.rounding !== undefined ? { rounding: f.rounding } : {}),
    ...(f.trim !== undefined ? { trim: f.trim } : {}),
    ...(f.map?.a !== undefined ? { mapA: f.map.a } : {}),
    ...(f.case === 'none' ? { caseNone: true as const } : {}),
  };
  return {
    ...blankRow(f.name, f.b ?? f.name),
    type,
    scale: f.scale !== undefined ? String(f.scale) : '',
    isKey,
    abs: f.tolerance?.abs ?? '',
    rel: f.tolerance?.rel ?? '',
    days: f.tolerance?.days !== undefined ? String(f.tolerance.days) : '',
    caseFold: f.case === 'upper' || f.case === 'lower' ? f.case : 'none',
    mapB: f.map?.b && Object.keys(f.map.b).length > 0 ? f.map.b : null,
    compare: f.compare !== false,
    ...(f.dateFormat !== undefined ? { dateFormat: f.dateFormat } : {}),
    ...(f.adjust !== undefined ? { adjust: f.adjust } : {}),
    ...(Object.keys(kept).length > 0 ? { kept } : {}),
    hint,
  };
}

/**
 * The form holding a definition: its fields in A's column order when A's
 * columns are known (the others unmapped), else in the definition's order.
 */
function fromFields(current: Draft, definition: DefinitionInput, aColumns: readonly string[] | null, hintOf: (field: string) => FieldHint | null, compareUnlisted: boolean): Draft {
  const fields = definition.fields ?? [];
  const { fxRates, ...attribution } = definition.attribution ?? {};
  const normalize = { ...definition.normalize };
  delete normalize.trim;
  const byName = new Map(fields.map((f) => [f.name, f]));
  const key = new Set(definition.key);
  const names = aColumns ? [...aColumns, ...fields.map((f) => f.name).filter((n) => !aColumns.includes(n))] : fields.map((f) => f.name);
  const rows = names.map((column) => {
    const f = byName.get(column);
    return f ? rowFromField(f, key.has(column), hintOf(column)) : blankRow(column, null);
  });
  return {
    ...current,
    name: current.name !== '' ? current.name : definition.name,
    a: sourceForm(current.a.path, definition.sources?.a),
    b: sourceForm(current.b.path, definition.sources?.b),
    rows,
    trim: definition.normalize?.trim ?? true,
    currencyField: definition.currencyField ?? null,
    rules: [],
    report: null,
    compareUnlisted: definition.compareUnlisted ?? compareUnlisted,
    fxRates: Object.entries(fxRates ?? {}).map(([pair, rate]) => ({ pair, rate })),
    kept: {
      ...(definition.$schema !== undefined ? { $schema: definition.$schema } : {}),
      ...(definition.description !== undefined ? { description: definition.description } : {}),
      ...(definition.emptyKeyParts !== undefined ? { emptyKeyParts: definition.emptyKeyParts } : {}),
      // Break memory's as-of field and a matching definition's rules: the form edits neither, a run needs both.
      ...(definition.asOfField !== undefined ? { asOfField: definition.asOfField } : {}),
      ...(definition.matching !== undefined ? { matching: definition.matching } : {}),
      ...(definition.attribution !== undefined ? { attribution } : {}),
      ...(Object.keys(normalize).length > 0 ? { normalize } : {}),
    },
  };
}

/**
 * The form pre-filled from an inference: source options, every A column (the
 * unmatched ones unmapped), key, types, scales, case, value maps, per-field
 * date formats, the currency field, and the rule proposals (none accepted:
 * a person decides).
 */
export function fromInference(current: Draft, definition: DefinitionInput, report: InferenceReportDto): Draft {
  const hints = new Map(report.fields.map((h): [string, FieldHint] => [
    h.name,
    {
      mapping: h.mapping,
      type: h.type,
      ...(h.map ? { map: h.map } : {}),
      ...(h.case ? { case: h.case } : {}),
      agreement: h.agreement,
      ...(h.notCompared !== undefined ? { notCompared: h.notCompared } : {}),
    },
  ]));
  const d = fromFields(current, definition, report.files.a.columns, (name) => hints.get(name) ?? null, false);
  // Inference never proposes FX rates: the ones a person already typed stay.
  const fxRates = d.fxRates.length > 0 ? d.fxRates : current.fxRates;
  return { ...d, origin: 'inferred', fxRates, rules: report.rules.map((proposal) => ({ proposal, accepted: false })), report };
}

/** The form holding a saved definition (to run it on new files); A's columns, when previewed, add unlisted ones unmapped. */
export function fromSaved(current: Draft, definition: DefinitionInput, aColumns: readonly string[] | null): Draft {
  // A definition that does not say compares unlisted columns (the schema's default), so the form says so too.
  return { ...fromFields({ ...current, name: '' }, definition, aColumns, () => null, true), origin: 'saved' };
}

/** A person's answer to "which date format?": the field is compared with it on that side. */
export function chooseDateFormat(rows: FieldRow[], field: string, side: 'a' | 'b', format: string): FieldRow[] {
  return rows.map((r) => {
    if (r.a !== field) return r;
    const own = typeof r.dateFormat === 'object' && !Array.isArray(r.dateFormat) ? r.dateFormat : {};
    return { ...r, compare: true, dateFormat: { ...own, [side]: format } };
  });
}

/** Read options a query or HTTP side keeps from `other` (the rest are a file's, which the schema refuses for them). */
const REMOTE_KEPT = { query: ['timeoutSeconds', 'typesFromDatabase', 'timestampFormat', 'nullValues'], http: ['timeoutSeconds', 'columns', 'timestampFormat', 'nullValues'] } as const;

const paramsOf = (rows: readonly ParamRow[]): Record<string, string | number | boolean | null> =>
  Object.fromEntries(rows.filter((p) => p.name.trim() !== '').map((p) => [p.name.trim(), p.original !== undefined && p.value === (p.original === null ? '' : String(p.original)) ? p.original : p.value]));

/** A side's source options as the definition writes them. */
export function sourceOptions(s: SourceForm): SourceOptions {
  const dateFormat = s.dateFormat !== '' ? { dateFormat: s.dateFormats !== undefined && s.dateFormats[0] === s.dateFormat ? s.dateFormats : s.dateFormat } : {};
  if (s.kind === 'file') {
    // A side switched back from a query keeps no query option (the schema refuses them for a file).
    const { timeoutSeconds: _t, typesFromDatabase: _d, ...fileOther } = s.other;
    void _t;
    void _d;
    return {
      ...fileOther,
      ...(s.delimiter !== '' ? { delimiter: s.delimiter } : {}),
      ...(s.decimalSeparator !== '.' ? { decimalSeparator: s.decimalSeparator } : {}),
      ...dateFormat,
    };
  }
  const kept = Object.fromEntries(Object.entries(s.other).filter(([k]) => (REMOTE_KEPT[s.kind as 'query' | 'http'] as readonly string[]).includes(k)));
  const params = paramsOf(s.params);
  const withParams = Object.keys(params).length > 0 ? { params } : {};
  if (s.kind === 'query') return { ...kept, kind: 'query', connection: s.connection.trim(), sql: s.sql, ...withParams, ...dateFormat };
  return {
    ...kept,
    kind: 'http',
    connection: s.connection.trim(),
    ...(s.httpPath.trim() !== '' ? { path: s.httpPath.trim() } : {}),
    ...withParams,
    ...(s.response === 'ndjson' ? { response: 'ndjson' as const } : s.records.trim() !== '' ? { records: s.records.trim() } : {}),
    ...(s.pagination !== null ? { pagination: s.pagination } : {}),
    ...dateFormat,
  };
}

/** What a side still needs before it can be read, in words; null when it is ready. */
export function sourceProblem(s: SourceForm, side: 'A' | 'B'): string | null {
  if (s.kind === 'file') return s.path.trim() === '' ? `Source ${side}: give its file.` : null;
  if (s.connection.trim() === '') return `Source ${side}: pick a connection.`;
  if (s.kind === 'query' && s.sql.trim() === '') return `Source ${side}: write its query.`;
  return null;
}

/** A side is ready to read (preview, or run). */
export const sourceReady = (s: SourceForm): boolean => sourceProblem(s, 'A') === null;

/**
 * The person accepts or declines proposal `index`. A tolerance proposal fills
 * the field's tolerance in the mapping table (where it can still be edited)
 * and, declined, clears it again unless the person changed it since; the
 * other rules are merged into the field's adjust by toDefinition.
 */
export function acceptRule(d: Draft, index: number, accepted: boolean): Draft {
  const choice = d.rules[index];
  if (!choice) return d;
  const rules = d.rules.map((r, j) => (j === index ? { ...r, accepted } : r));
  const t = choice.proposal.tolerance;
  if (!t) return { ...d, rules };
  const proposed: Pick<FieldRow, 'abs' | 'rel' | 'days'> = { abs: t.abs ?? '', rel: t.rel ?? '', days: t.days !== undefined ? String(t.days) : '' };
  const rows = d.rows.map((r) => {
    if (r.a !== choice.proposal.field) return r;
    if (accepted) return { ...r, ...Object.fromEntries(Object.entries(proposed).filter(([, v]) => v !== '')) };
    const cleared = Object.fromEntries(Object.entries(proposed).filter(([k, v]) => v !== '' && r[k as keyof typeof proposed] === v).map(([k]) => [k, '']));
    return { ...r, ...cleared };
  });
  return { ...d, rules, rows };
}

/** The row's adjustment with every accepted rule of its field merged in, side by side. */
function rowAdjust(r: FieldRow, rules: RuleChoice[]): FieldAdjust | undefined {
  let out = r.adjust as Record<string, Record<string, unknown> | undefined> | undefined;
  for (const { proposal, accepted } of rules) {
    // A tolerance is in the row's own tolerance inputs (acceptRule), not an adjustment.
    if (!accepted || proposal.field !== r.a || proposal.tolerance) continue;
    const add = proposal.adjust as Record<string, Record<string, unknown> | undefined>;
    out = { ...out };
    for (const [side, v] of Object.entries(add)) out[side] = { ...out[side], ...v };
  }
  return out as FieldAdjust | undefined;
}

/** The definition the form describes. Unmapped columns are not compared. */
export function toDefinition(d: Draft): DefinitionInput {
  const used = d.rows.filter((r) => r.b !== null);
  const guessed = used.find((r) => /^(currency|ccy)$/i.test(r.a))?.a;
  // A blank form guesses the currency field by name; inference and saved definitions already said.
  const currency = d.currencyField !== null && used.some((r) => r.a === d.currencyField) ? d.currencyField : d.origin === 'blank' ? guessed : undefined;
  return {
    name: d.name.trim(),
    key: used.filter((r) => r.isKey).map((r) => r.a),
    sources: { a: sourceOptions(d.a), b: sourceOptions(d.b) },
    fields: used.map((r): FieldInput => {
      const tolerance = {
        ...(r.abs.trim() !== '' ? { abs: r.abs.trim() } : {}),
        ...(r.rel.trim() !== '' ? { rel: r.rel.trim() } : {}),
        ...(r.days.trim() !== '' ? { days: Number(r.days) } : {}),
      };
      const dated = r.type === 'date' || r.type === 'timestamp';
      const adjust = rowAdjust(r, d.rules);
      const k = r.kept ?? {};
      const map = {
        ...(k.mapA !== undefined ? { a: k.mapA } : {}),
        ...(r.type === 'string' && r.mapB !== null && Object.keys(r.mapB).length > 0 ? { b: r.mapB } : {}),
      };
      return {
        name: r.a,
        ...(r.b !== null && r.b !== r.a ? { b: r.b } : {}),
        type: r.type,
        ...(r.type === 'decimal' && r.scale.trim() !== '' ? { scale: Number(r.scale) } : {}),
        ...(r.type === 'decimal' && k.rounding !== undefined ? { rounding: k.rounding } : {}),
        ...(Object.keys(tolerance).length > 0 ? { tolerance } : {}),
        ...(r.type === 'string' && r.caseFold !== 'none' ? { case: r.caseFold } : r.type === 'string' && k.caseNone ? { case: 'none' as const } : {}),
        ...(k.trim !== undefined ? { trim: k.trim } : {}),
        ...(Object.keys(map).length > 0 ? { map } : {}),
        ...(dated && r.dateFormat !== undefined ? { dateFormat: r.dateFormat } : {}),
        ...(adjust !== undefined ? { adjust } : {}),
        ...(r.compare ? {} : { compare: false }),
      };
    }),
    normalize: { trim: d.trim, ...d.kept.normalize },
    compareUnlisted: d.compareUnlisted,
    ...(currency !== undefined ? { currencyField: currency } : {}),
    ...(d.kept.$schema !== undefined ? { $schema: d.kept.$schema } : {}),
    ...(d.kept.description !== undefined ? { description: d.kept.description } : {}),
    ...(d.kept.emptyKeyParts !== undefined ? { emptyKeyParts: d.kept.emptyKeyParts } : {}),
    ...(d.kept.asOfField !== undefined ? { asOfField: d.kept.asOfField } : {}),
    ...(d.kept.matching !== undefined ? { matching: d.kept.matching } : {}),
    ...attributionOf(d),
  };
}

/** attribution as the definition writes it: the kept settings, and the form's FX rates (blank rows ignored). */
function attributionOf(d: Draft): Pick<DefinitionInput, 'attribution'> {
  const rates = d.fxRates.filter((r) => r.pair.trim() !== '' || r.rate.trim() !== '');
  const fxRates = Object.fromEntries(rates.map((r) => [r.pair.trim().toUpperCase(), r.rate.trim()]));
  const attribution = { ...d.kept.attribution, ...(rates.length > 0 ? { fxRates } : {}) };
  return d.kept.attribution !== undefined || rates.length > 0 ? { attribution } : {};
}

/** What the schema would refuse in the form's FX rates, in words (blank rows are ignored). */
export function fxRateProblems(rates: readonly FxRateRow[]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  rates.forEach((r, i) => {
    const pair = r.pair.trim().toUpperCase();
    const rate = r.rate.trim();
    if (pair === '' && rate === '') return;
    if (!/^[A-Z]{3}[A-Z]{3}$/.test(pair)) out.push(`FX rate ${i + 1}: "${r.pair.trim()}" is not a currency pair like EURUSD.`);
    else if (seen.has(pair)) out.push(`FX rate ${i + 1}: ${pair} is given twice.`);
    else if (!/^\d+(\.\d+)?$/.test(rate)) out.push(`FX rate ${i + 1}: "${rate}" is not a positive decimal like 1.0850.`);
    seen.add(pair);
  });
  return out;
}

/** The files' columns when known (a preview, or the columns a failed run named). */
export interface KnownColumns {
  a?: readonly string[] | undefined;
  b?: readonly string[] | undefined;
}

/** The column of `columns` a definition's name binds to: exactly, else ignoring case (as the engine binds them). */
export function matchColumn(name: string, columns: readonly string[]): string | undefined {
  return columns.includes(name) ? name : columns.find((c) => c.toLowerCase() === name.toLowerCase());
}

/** What is wrong with one row against the files' known columns (a saved definition may name columns the files do not have); null when nothing. */
export function rowProblem(r: FieldRow, columns: KnownColumns): string | null {
  if (r.b === null) return null;
  if (columns.a && matchColumn(r.a, columns.a) === undefined) return `"${r.a}" is not a column of A`;
  if (columns.b && matchColumn(r.b, columns.b) === undefined) return `"${r.b}" is not a column of B: pick its column, or "(not compared)"`;
  return null;
}

/** What keeps the draft from running, in words; empty when it is ready. */
export function draftProblems(d: Draft, columns: KnownColumns = {}): string[] {
  const out: string[] = [];
  if (d.a.kind === 'file' && d.b.kind === 'file') {
    if (d.a.path.trim() === '' || d.b.path.trim() === '') out.push('Give both files.');
  } else {
    for (const [s, side] of [[d.a, 'A'], [d.b, 'B']] as const) {
      const p = sourceProblem(s, side);
      if (p !== null) out.push(p);
    }
  }
  if (d.rows.length === 0) out.push(d.a.kind === 'file' && d.b.kind === 'file' ? 'Preview both files to map their columns.' : 'Preview both sources to map their columns.');
  else if (!d.rows.some((r) => r.isKey && r.b !== null)) out.push('Choose at least one key column that exists on both sides.');
  for (const r of d.rows) {
    const p = rowProblem(r, columns);
    if (p !== null) out.push(`${r.a}: ${p}.`);
  }
  out.push(...fxRateProblems(d.fxRates));
  if (d.name.trim() === '') out.push('Name the definition.');
  return out;
}
