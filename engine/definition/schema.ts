import { z } from 'zod';
import { checkMatching, matchingSchema } from '../match/definition.ts';

/**
 * The recon definition: the JSON a user (or the UI) saves and the CLI reads.
 * `docs/definition.schema.json` is generated from this module
 * (`npx recon definition schema`), so the published JSON Schema cannot drift.
 */

const decimalString = z
  .string()
  .regex(/^\d+(\.\d+)?$/, 'a non-negative decimal written as a string, e.g. "0.005"')
  .describe('A non-negative decimal, as a string so it stays exact.');

/** A factor: like `decimalString`, but signed ("-1" flips the sign) and bounded so the SQL stays within DECIMAL(38). */
const factorString = z
  .string()
  .regex(/^-?\d{1,20}(\.\d{1,18})?$/, 'a decimal factor written as a string, e.g. "0.01" or "-1" (at most 20 digits before the point and 18 after)')
  .describe('A decimal factor, possibly negative, as a string so it stays exact.');

/** Largest day shift accepted (about 270 years): keeps the SQL literal small and the dates in range. */
export const MAX_SHIFT_DAYS = 100_000;

export const FIELD_TYPES = ['string', 'integer', 'decimal', 'date', 'timestamp', 'boolean'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

export const SOURCE_FORMATS = ['csv', 'tsv', 'txt', 'parquet', 'json', 'ndjson', 'xlsx'] as const;
export type SourceFormat = (typeof SOURCE_FORMATS)[number];

export const ENCODINGS = ['utf-8', 'windows-1252', 'latin1', 'iso-8859-1', 'iso-8859-15', 'utf-16le', 'utf-16be'] as const;

/**
 * The strptime directives DuckDB accepts (`%-d` and the like: the same without padding). A format
 * naming another is refused here, at its JSON path, not when the data file is read.
 * format-directives.test.ts checks this list against DuckDB itself.
 */
export const STRPTIME_DIRECTIVES = new Set(['a', 'A', 'w', 'u', 'd', 'b', 'h', 'B', 'm', 'y', 'Y', 'G', 'H', 'I', 'p', 'M', 'S', 'g', 'f', 'n', 'z', 'Z', 'j', 'U', 'W', 'V', 'c', 'x', 'X', 'T', '%']);
/** Directives that take the "-" (no padding) flag. */
export const STRPTIME_UNPADDED = new Set(['d', 'm', 'y', 'H', 'I', 'M', 'S', 'j']);

/** What is wrong with a strptime format, or undefined when DuckDB can use it. */
export function strptimeFormatProblem(format: string): string | undefined {
  for (let i = 0; i < format.length; i++) {
    if (format[i] !== '%') continue;
    const dash = format[i + 1] === '-';
    const d = format[i + (dash ? 2 : 1)];
    const spelled = `%${dash ? '-' : ''}${d ?? ''}`;
    if (d === undefined) return `"${format}" ends with a lone "${spelled}"; write "%%" for a percent sign`;
    if (!STRPTIME_DIRECTIVES.has(d) || (dash && !STRPTIME_UNPADDED.has(d))) {
      return `"${format}": ${spelled} is not a strptime directive DuckDB reads (e.g. %Y year, %m month, %d day, %H:%M:%S time, %f fraction, %z offset; "%%" for a percent sign)`;
    }
    i += dash ? 2 : 1;
  }
  return undefined;
}

const strptimeFormat = z
  .string()
  .min(1)
  .superRefine((f, ctx) => {
    const problem = strptimeFormatProblem(f);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
  });
const formatList = z.union([strptimeFormat, z.array(strptimeFormat).min(1)]);

/** Where a side's rows come from: a file, a query on a saved connection (engine/ingest/db), or a JSON API (engine/ingest/http). */
export const SOURCE_KINDS = ['file', 'query', 'http'] as const;
/** A saved connection's name (also part of its keychain account and its password's environment variable). */
export const CONNECTION_NAME = /^[A-Za-z0-9_.-]{1,64}$/;
const queryParamValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);
export type QueryParamValue = z.infer<typeof queryParamValue>;
const FILE_ONLY_OPTIONS = ['format', 'delimiter', 'quote', 'escape', 'header', 'columns', 'encoding', 'sheet', 'skipRows', 'decimalSeparator', 'thousandsSeparator'] as const;
const QUERY_ONLY_OPTIONS = ['sql', 'typesFromDatabase'] as const;
/** Options a query and an HTTP source share. */
const REMOTE_OPTIONS = ['connection', 'params', 'timeoutSeconds'] as const;
const HTTP_ONLY_OPTIONS = ['url', 'path', 'records', 'response', 'pagination'] as const;
const jsonPointer = z.string().regex(/^(\/([^~]|~[01])*)*$/, 'a JSON pointer: "" for the whole body, or "/data/items"');

const paginationSchema = z
  .discriminatedUnion('kind', [
    z
      .object({
        kind: z.literal('link'),
        next: jsonPointer.optional().describe('Where the body holds the next page\'s URL, e.g. "/links/next"; without it, the Link header\'s rel="next" (RFC 8288).'),
        maxPages: z.number().int().min(1).max(1_000_000).optional(),
      })
      .strict(),
    z
      .object({
        kind: z.literal('cursor'),
        cursor: jsonPointer.describe('Where the body holds the next cursor, e.g. "/meta/next_cursor"; absent, null or "" on the last page.'),
        param: z.string().min(1).describe('The query parameter the cursor is sent in, e.g. "cursor".'),
        maxPages: z.number().int().min(1).max(1_000_000).optional(),
      })
      .strict(),
    z
      .object({
        kind: z.literal('page'),
        param: z.string().min(1).default('page').describe('The query parameter of the page number (default "page").'),
        start: z.number().int().min(0).default(1).describe('The first page\'s number (default 1).'),
        size: z.number().int().min(1).optional().describe('Records per page: a shorter page is the last. Without it, the first empty page ends.'),
        sizeParam: z.string().min(1).optional().describe('A query parameter to send `size` in, e.g. "per_page".'),
        maxPages: z.number().int().min(1).max(1_000_000).optional(),
      })
      .strict(),
  ])
  .describe('How to get the next page: a next link, a cursor, or page numbers. maxPages (default 10000) caps the pages; more is an error, never a silent cut.');
export type Pagination = z.infer<typeof paginationSchema>;

export const sourceSchema = z
  .object({
    format: z.enum(SOURCE_FORMATS).optional().describe('File format; inferred from the extension when absent.'),
    delimiter: z.string().min(1).max(4).optional().describe('Field delimiter for delimited text (default "," or tab for .tsv).'),
    quote: z.string().max(1).optional().describe('Quote character (default "). Empty string disables quoting.'),
    escape: z.string().max(1).optional().describe('Escape character inside quotes (default: the quote character).'),
    header: z.boolean().optional().describe('Whether the first row holds column names (default true).'),
    columns: z.array(z.string().min(1)).optional().describe('Column names for a file without a header.'),
    encoding: z.enum(ENCODINGS).optional().describe('Text encoding (default utf-8; a UTF-16 BOM is detected).'),
    decimalSeparator: z.enum(['.', ',']).optional().describe('Decimal separator of numbers in this file (default ".").'),
    thousandsSeparator: z
      .enum([',', '.', ' ', "'", ''])
      .optional()
      .describe('Grouping separator to strip from numbers. " " also takes the no-break spaces U+00A0 and U+202F, "\'" also the typographic apostrophe U+2019 (one of them per group).'),
    dateFormat: formatList.optional().describe('strptime format(s) for dates, e.g. "%d/%m/%Y" (default ISO).'),
    timestampFormat: formatList.optional().describe('strptime format(s) for timestamps (default ISO).'),
    nullValues: z.array(z.string()).optional().describe('Extra strings that mean "no value" (an empty cell always does).'),
    sheet: z.string().min(1).optional().describe('XLSX sheet name (default: the first sheet).'),
    skipRows: z.number().int().min(0).optional().describe('Lines (delimited text) or sheet rows (xlsx) to skip before the header.'),
    kind: z
      .enum(SOURCE_KINDS)
      .optional()
      .describe('"file" (default): the source is a file given to `recon run`. "query": the rows of `sql` run on the named connection. "http": the records of a JSON or NDJSON API (docs/SOURCES.md).'),
    connection: z
      .string()
      .regex(CONNECTION_NAME, 'a connection name: letters, digits, "_", "-" or ".", at most 64')
      .optional()
      .describe('A query or HTTP source: the name of a connection saved in the workspace (`recon source add-connection`).'),
    url: z
      .string()
      .refine((u) => /^https?:\/\//i.test(u) && URL.canParse(u), 'an http:// or https:// URL')
      .optional()
      .describe('An HTTP source without a saved connection: the URL to GET (no headers are sent).'),
    path: z.string().optional().describe('An HTTP source: appended to the connection\'s base URL, e.g. "/v1/trades".'),
    records: jsonPointer.optional().describe('An HTTP source with JSON pages: where each page holds its array of records, as a JSON pointer, e.g. "/data/items" (default "": the body is the array).'),
    response: z.enum(['json', 'ndjson']).optional().describe('An HTTP source: "json" (default) or "ndjson" (one record per line).'),
    pagination: paginationSchema.optional(),
    sql: z.string().min(1).optional().describe('A query source: the SELECT to run. Parameters are written :name and given in `params`.'),
    params: z
      .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a parameter name: a letter or "_", then letters, digits or "_"'), queryParamValue)
      .optional()
      .describe(
        'A query source: the values of the query\'s :name parameters, e.g. {"asOf": "2026-12-01"}; `recon run --param name=value` overrides them. An HTTP source: query parameters of the first request (null leaves one out).',
      ),
    timeoutSeconds: z
      .number()
      .int()
      .min(1)
      .max(86_400)
      .optional()
      .describe('A query source: how long the query may run, overriding the connection\'s query timeout. An HTTP source: how long all its pages may take.'),
    typesFromDatabase: z
      .boolean()
      .optional()
      .describe('A query source: take each column\'s type from the database (numeric(p,s) → decimal with scale s, integers, dates, timestamps, booleans) where the definition does not declare one (default true).'),
  })
  .strict()
  .superRefine((src, ctx) => {
    const refuse = (keys: readonly (keyof typeof src)[], message: (k: string) => string): void => {
      for (const k of keys) if (src[k] !== undefined) ctx.addIssue({ code: 'custom', path: [k], message: message(k) });
    };
    if (src.kind === 'query') {
      if (src.connection === undefined) ctx.addIssue({ code: 'custom', path: ['connection'], message: 'a query source names its connection' });
      if (src.sql === undefined) ctx.addIssue({ code: 'custom', path: ['sql'], message: 'a query source has its sql' });
      refuse(FILE_ONLY_OPTIONS, (k) => `${k} applies to file sources only`);
      refuse(HTTP_ONLY_OPTIONS, (k) => `${k} applies to HTTP sources only`);
    } else if (src.kind === 'http') {
      if ((src.connection === undefined) === (src.url === undefined)) ctx.addIssue({ code: 'custom', path: ['connection'], message: 'an HTTP source names its connection or its url (one of them)' });
      // `columns` names the record members to read, as it names a headerless file's columns.
      refuse(
        FILE_ONLY_OPTIONS.filter((k) => k !== 'columns'),
        (k) => `${k} applies to file sources only`,
      );
      refuse(QUERY_ONLY_OPTIONS, (k) => `${k} applies to query sources only`);
      if (src.response === 'ndjson' && src.records !== undefined) ctx.addIssue({ code: 'custom', path: ['records'], message: 'an NDJSON page has one record per line: records applies to JSON pages only' });
    } else {
      checkDialect(src, ctx);
      refuse(QUERY_ONLY_OPTIONS, (k) => `${k} applies to query sources only (set "kind": "query")`);
      refuse(REMOTE_OPTIONS, (k) => `${k} applies to query and HTTP sources only (set "kind")`);
      refuse(HTTP_ONLY_OPTIONS, (k) => `${k} applies to HTTP sources only (set "kind": "http")`);
    }
  });
export type SourceOptions = z.infer<typeof sourceSchema>;

const shown = (c: string): string => JSON.stringify(c);

/**
 * A file source's separators and quoting must be able to tell one thing from another: a
 * delimiter that is a line end or the quote/escape character, or a decimal separator that
 * is also the thousands separator, would read the data as something else.
 */
function checkDialect(src: { delimiter?: string | undefined; quote?: string | undefined; escape?: string | undefined; decimalSeparator?: string | undefined; thousandsSeparator?: string | undefined }, ctx: z.RefinementCtx): void {
  const quote = src.quote ?? '"';
  const escape = src.escape ?? quote;
  const lineEnd = (s: string): boolean => s.includes('\n') || s.includes('\r');
  if (src.delimiter !== undefined) {
    if (lineEnd(src.delimiter)) {
      ctx.addIssue({ code: 'custom', path: ['delimiter'], message: `the delimiter ${shown(src.delimiter)} contains a line end, which ends records; choose another character` });
    } else if (quote !== '' && src.delimiter.includes(quote)) {
      ctx.addIssue({ code: 'custom', path: ['delimiter'], message: `the delimiter ${shown(src.delimiter)} contains the quote character ${shown(quote)}${src.quote === undefined ? ' (the default)' : ''}; choose another delimiter or set "quote"` });
    } else if (escape !== '' && src.delimiter.includes(escape)) {
      ctx.addIssue({ code: 'custom', path: ['delimiter'], message: `the delimiter ${shown(src.delimiter)} contains the escape character ${shown(escape)}; choose another delimiter or set "escape"` });
    }
  }
  for (const k of ['quote', 'escape'] as const) {
    const v = src[k];
    if (v !== undefined && lineEnd(v)) ctx.addIssue({ code: 'custom', path: [k], message: `the ${k} character cannot be a line end` });
  }
  if (src.thousandsSeparator !== undefined && src.thousandsSeparator !== '') {
    const decimal = src.decimalSeparator ?? '.';
    if (src.thousandsSeparator === decimal) {
      ctx.addIssue({
        code: 'custom',
        path: ['thousandsSeparator'],
        message: `the thousands separator ${shown(src.thousandsSeparator)} is also the decimal separator${src.decimalSeparator === undefined ? ' (the default ".")' : ''}: "1${decimal}5" could not be read; set them to different characters`,
      });
    }
  }
}

export const toleranceSchema = z
  .object({
    abs: decimalString.optional().describe('Absolute tolerance: |A - B| <= abs is a match.'),
    rel: decimalString.optional().describe('Relative tolerance: |A - B| <= rel * max(|A|, |B|) is a match.'),
    days: z.number().int().min(0).optional().describe('Date/timestamp tolerance in whole days.'),
  })
  .strict();
export type Tolerance = z.infer<typeof toleranceSchema>;

const valueMap = z.record(z.string(), z.string());

export const sideAdjustSchema = z
  .object({
    multiply: factorString
      .optional()
      .describe('Multiply this side\'s value by an exact decimal factor, e.g. "0.01" for an amount written in cents, "-1" for a flipped sign (decimal and integer fields; integers by whole numbers only). Decimals are rounded half away from zero to the field\'s scale.'),
    shiftDays: z
      .number()
      .int()
      .min(-MAX_SHIFT_DAYS)
      .max(MAX_SHIFT_DAYS)
      .optional()
      .describe('Move this side\'s date/timestamp by whole calendar days (negative: earlier).'),
    shiftBusinessDays: z
      .number()
      .int()
      .min(-MAX_SHIFT_DAYS)
      .max(MAX_SHIFT_DAYS)
      .optional()
      .describe('Move this side\'s date/timestamp by business days, Monday to Friday (no holidays); a Saturday or Sunday counts as the Monday after it, and the time of day is kept.'),
  })
  .strict()
  .describe('A normalization rule for one side, applied to the typed value before comparing.');
export type SideAdjust = z.infer<typeof sideAdjustSchema>;

export const fieldAdjustSchema = z
  .object({ a: sideAdjustSchema.optional(), b: sideAdjustSchema.optional() })
  .strict()
  .describe('Per-side normalization applied after the cast, before comparing, e.g. {"b": {"multiply": "0.01"}} or {"b": {"shiftBusinessDays": -1}}; tolerances then compare the adjusted values.');
export type FieldAdjust = z.infer<typeof fieldAdjustSchema>;

/** What a decimal value with more decimal places than its field's scale becomes. */
export const ROUNDING_MODES = ['round', 'reject'] as const;
const roundingSchema = z.enum(ROUNDING_MODES);
const ROUNDING_HELP =
  'A decimal value with more decimal places than the field\'s scale: "round" rounds it half away from zero to the scale (the run\'s warnings count, per field and side, the values this changed), "reject" rejects it with its line and column ("has 9 decimals; the field\'s scale is 6"). Trailing zeros never count: "1.5000000" is 1.5.';

export const fieldSchema = z
  .object({
    name: z.string().min(1).describe('Column name in source A; also the field name in results.'),
    b: z.string().min(1).optional().describe('Column name in source B (default: same name, case-insensitive).'),
    type: z.enum(FIELD_TYPES).default('string'),
    scale: z.number().int().min(0).max(18).optional().describe('Decimal places for type decimal (default 6).'),
    rounding: roundingSchema.optional().describe(`${ROUNDING_HELP} Default: normalize.rounding, else "round".`),
    map: z
      .object({ a: valueMap.optional(), b: valueMap.optional() })
      .strict()
      .optional()
      .describe('Value maps applied per side after trimming, e.g. {"b": {"B": "BUY"}}.'),
    case: z.enum(['upper', 'lower', 'none']).optional().describe('Case folding for strings, applied to both sides.'),
    trim: z.boolean().optional().describe('Trim surrounding whitespace (default: normalize.trim).'),
    dateFormat: z
      .union([formatList, z.object({ a: formatList.optional(), b: formatList.optional() }).strict()])
      .optional()
      .describe('Per-field date/timestamp format(s), overriding the source setting.'),
    tolerance: toleranceSchema.optional(),
    adjust: fieldAdjustSchema.optional(),
    compare: z.boolean().optional().describe('Set false to carry the field without comparing it.'),
  })
  .strict();
export type FieldInput = z.input<typeof fieldSchema>;
export type Field = z.infer<typeof fieldSchema>;

/** The quality gate's highest unknown rate that passes, when a definition sets none. */
export const DEFAULT_UNKNOWN_RATE_LIMIT = 0.05;

export const attributionSettingsSchema = z
  .object({
    threshold: z.number().min(0).max(1).default(0.9).describe('Confidence at or above which a break is auto-attributed.'),
    unknownRateLimit: z.number().min(0).max(1).default(DEFAULT_UNKNOWN_RATE_LIMIT).describe('Quality gate: the highest unknown rate that passes.'),
    fxRates: z
      .record(z.string().regex(/^[A-Z]{3}[A-Z]{3}$/, 'a currency pair like "EURUSD"'), decimalString)
      .optional()
      .describe('Known FX rates by pair, e.g. {"EURUSD": "1.0850"}, so amounts converted at a rate are recognised as FX differences.'),
  })
  .strict();

export const definitionSchema = z
  .object({
    $schema: z.string().optional(),
    name: z.string().min(1),
    description: z.string().optional(),
    key: z.array(z.string().min(1)).min(1).describe('Field names (A-side) that identify a record; several make a composite key.'),
    emptyKeyParts: z
      .enum(['reject', 'match'])
      .optional()
      .describe(
        'A composite key with an empty part: "reject" (default) rejects the row (EMPTY_KEY); "match" treats the empty part as a value that matches an empty part on the other side. A key whose parts are all empty is always rejected.',
      ),
    sources: z.object({ a: sourceSchema.default({}), b: sourceSchema.default({}) }).strict().default({ a: {}, b: {} }),
    fields: z.array(fieldSchema).default([]),
    normalize: z
      .object({
        trim: z.boolean().default(true).describe('Trim whitespace of every value (default true).'),
        case: z.enum(['upper', 'lower', 'none']).default('none').describe('Default case folding for string fields.'),
        rounding: roundingSchema.optional().describe(`Default "rounding" of decimal fields. ${ROUNDING_HELP} Default "round".`),
      })
      .strict()
      .default({ trim: true, case: 'none' }),
    compareUnlisted: z.boolean().default(true).describe('Compare columns present on both sides but not listed, as trimmed strings.'),
    currencyField: z.string().min(1).optional().describe('Field holding the currency, for control totals (default: a field named currency/ccy).'),
    asOfField: z
      .string()
      .min(1)
      .optional()
      .describe(
        "A date field whose value is the extract's as-of date (positions files carry one): the run's as-of is its most common value in A. Without it, the run date; `recon run --as-of` overrides both.",
      ),
    attribution: attributionSettingsSchema.default({ threshold: 0.9, unknownRateLimit: DEFAULT_UNKNOWN_RATE_LIMIT }),
    matching: matchingSchema
      .optional()
      .describe(
        'Match rows that share no key (a ledger against a bank statement) by rules tried in order, instead of joining on the key. The key then names each row\'s id: the A column, and the B column in the key field\'s "b". See docs/MATCHING.md.',
      ),
  })
  .strict()
  .superRefine((def, ctx) => {
    const names = new Set<string>();
    for (const [i, f] of def.fields.entries()) {
      const lower = f.name.toLowerCase();
      if (names.has(lower)) ctx.addIssue({ code: 'custom', path: ['fields', i, 'name'], message: `field "${f.name}" is listed twice` });
      names.add(lower);
      if (f.name.startsWith('__')) {
        // The run database's tables and the engine's SQL name their own columns so (__key, __rid, __bad…).
        ctx.addIssue({ code: 'custom', path: ['fields', i, 'name'], message: `field "${f.name}": names starting with "__" are kept for the engine's own columns; rename the field` });
      }
      if (f.scale !== undefined && f.type !== 'decimal') {
        ctx.addIssue({ code: 'custom', path: ['fields', i, 'scale'], message: 'scale applies to decimal fields only' });
      }
      if (f.rounding !== undefined && f.type !== 'decimal') {
        ctx.addIssue({ code: 'custom', path: ['fields', i, 'rounding'], message: 'rounding applies to decimal fields only' });
      }
      if (f.tolerance?.days !== undefined && f.type !== 'date' && f.type !== 'timestamp') {
        ctx.addIssue({ code: 'custom', path: ['fields', i, 'tolerance', 'days'], message: 'a days tolerance applies to date and timestamp fields only' });
      }
      if ((f.tolerance?.abs !== undefined || f.tolerance?.rel !== undefined) && f.type !== 'decimal' && f.type !== 'integer') {
        ctx.addIssue({ code: 'custom', path: ['fields', i, 'tolerance'], message: 'abs/rel tolerances apply to decimal and integer fields only' });
      }
      for (const side of ['a', 'b'] as const) {
        const adj = f.adjust?.[side];
        if (adj) checkAdjust(adj, f.type, side, ['fields', i, 'adjust', side], ctx);
      }
    }
    const seenKey = new Set<string>();
    for (const [i, k] of def.key.entries()) {
      if (seenKey.has(k.toLowerCase())) ctx.addIssue({ code: 'custom', path: ['key', i], message: `key field "${k}" is listed twice` });
      seenKey.add(k.toLowerCase());
    }
    checkMatching(def, ctx);
  });

export type DefinitionInput = z.input<typeof definitionSchema>;
export type Definition = z.infer<typeof definitionSchema>;

/** The type rules of one side's `adjust`, reported at its JSON path. */
function checkAdjust(adj: SideAdjust, type: FieldType, side: 'a' | 'b', path: (string | number)[], ctx: z.RefinementCtx): void {
  const numeric = type === 'decimal' || type === 'integer';
  const dated = type === 'date' || type === 'timestamp';
  if (adj.multiply !== undefined) {
    if (!numeric) {
      ctx.addIssue({ code: 'custom', path: [...path, 'multiply'], message: `multiply applies to decimal and integer fields only (this field is ${type})` });
    } else if (/^-?[0.]+$/.test(adj.multiply)) {
      ctx.addIssue({ code: 'custom', path: [...path, 'multiply'], message: 'a factor of 0 would erase every value' });
    } else if (type === 'integer' && /\.\d*[1-9]/.test(adj.multiply)) {
      const other = side === 'a' ? 'b' : 'a';
      ctx.addIssue({
        code: 'custom',
        path: [...path, 'multiply'],
        message: `an integer field can be multiplied by a whole number only; put the inverse factor on side ${other} (e.g. ${other}.multiply "100" instead of ${side}.multiply "0.01") or make the field decimal`,
      });
    }
  }
  for (const key of ['shiftDays', 'shiftBusinessDays'] as const) {
    if (adj[key] !== undefined && !dated) {
      ctx.addIssue({ code: 'custom', path: [...path, key], message: `${key} applies to date and timestamp fields only (this field is ${type})` });
    }
  }
  if (adj.shiftDays !== undefined && adj.shiftBusinessDays !== undefined) {
    ctx.addIssue({ code: 'custom', path, message: 'use shiftDays or shiftBusinessDays on one side, not both' });
  }
}
