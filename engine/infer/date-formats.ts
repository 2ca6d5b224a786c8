import { literal } from '../sql/quote.ts';

/**
 * Date and timestamp formats inference tries, each with the shape a value
 * must have before DuckDB's strptime is asked (strptime alone is lenient:
 * "05/06/24" parses as %d/%m/%Y, year 24). A format whose day and month can
 * swap names its `twin`: when both fit every sampled value, the data cannot
 * tell dd/mm from mm/dd and inference refuses to pick.
 */
export interface DateFormatSpec {
  /** strptime format; null = ISO, the engine's default (no format in the definition). */
  format: string | null;
  kind: 'date' | 'timestamp';
  shape: string;
  twin?: string;
}

const D = String.raw`\d{1,2}`;
const Y4 = String.raw`\d{4}`;
const Y2 = String.raw`\d{2}`;
const MON = '[A-Za-z]{3}';
const HMS = String.raw`\d{1,2}:\d{2}:\d{2}`;
const HM = String.raw`\d{1,2}:\d{2}`;

export const DATE_FORMATS: readonly DateFormatSpec[] = [
  { format: null, kind: 'date', shape: String.raw`\d{4}-\d{1,2}-\d{1,2}` },
  { format: '%d/%m/%Y', kind: 'date', shape: `${D}/${D}/${Y4}`, twin: '%m/%d/%Y' },
  { format: '%m/%d/%Y', kind: 'date', shape: `${D}/${D}/${Y4}`, twin: '%d/%m/%Y' },
  { format: '%d.%m.%Y', kind: 'date', shape: `${D}\\.${D}\\.${Y4}`, twin: '%m.%d.%Y' },
  { format: '%m.%d.%Y', kind: 'date', shape: `${D}\\.${D}\\.${Y4}`, twin: '%d.%m.%Y' },
  { format: '%d-%m-%Y', kind: 'date', shape: `${D}-${D}-${Y4}`, twin: '%m-%d-%Y' },
  { format: '%m-%d-%Y', kind: 'date', shape: `${D}-${D}-${Y4}`, twin: '%d-%m-%Y' },
  { format: '%d/%m/%y', kind: 'date', shape: `${D}/${D}/${Y2}`, twin: '%m/%d/%y' },
  { format: '%m/%d/%y', kind: 'date', shape: `${D}/${D}/${Y2}`, twin: '%d/%m/%y' },
  { format: '%d.%m.%y', kind: 'date', shape: `${D}\\.${D}\\.${Y2}`, twin: '%m.%d.%y' },
  { format: '%m.%d.%y', kind: 'date', shape: `${D}\\.${D}\\.${Y2}`, twin: '%d.%m.%y' },
  { format: '%Y/%m/%d', kind: 'date', shape: `${Y4}/${D}/${D}` },
  { format: '%Y.%m.%d', kind: 'date', shape: `${Y4}\\.${D}\\.${D}` },
  { format: '%Y%m%d', kind: 'date', shape: String.raw`(19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])` },
  { format: '%d-%b-%Y', kind: 'date', shape: `${D}-${MON}-${Y4}` },
  { format: '%d-%b-%y', kind: 'date', shape: `${D}-${MON}-${Y2}` },
  { format: '%d %b %Y', kind: 'date', shape: `${D} ${MON} ${Y4}` },
  { format: null, kind: 'timestamp', shape: String.raw`\d{4}-\d{1,2}-\d{1,2}[ T]\d{1,2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}(:?\d{2})?)?` },
  { format: '%d/%m/%Y %H:%M:%S', kind: 'timestamp', shape: `${D}/${D}/${Y4} ${HMS}`, twin: '%m/%d/%Y %H:%M:%S' },
  { format: '%m/%d/%Y %H:%M:%S', kind: 'timestamp', shape: `${D}/${D}/${Y4} ${HMS}`, twin: '%d/%m/%Y %H:%M:%S' },
  { format: '%d/%m/%Y %H:%M', kind: 'timestamp', shape: `${D}/${D}/${Y4} ${HM}`, twin: '%m/%d/%Y %H:%M' },
  { format: '%m/%d/%Y %H:%M', kind: 'timestamp', shape: `${D}/${D}/${Y4} ${HM}`, twin: '%d/%m/%Y %H:%M' },
  { format: '%d.%m.%Y %H:%M:%S', kind: 'timestamp', shape: `${D}\\.${D}\\.${Y4} ${HMS}`, twin: '%m.%d.%Y %H:%M:%S' },
  { format: '%d.%m.%Y %H:%M', kind: 'timestamp', shape: `${D}\\.${D}\\.${Y4} ${HM}`, twin: '%m.%d.%Y %H:%M' },
];

/** SQL: non-NULL when `v` is a value of this format, parsed the way the engine will parse it. */
export function parseSql(spec: DateFormatSpec, v: string): string {
  if (spec.format === null) return spec.kind === 'date' ? `TRY_CAST(${v} AS DATE)` : `TRY_CAST(${v} AS TIMESTAMP)`;
  return `TRY_STRPTIME(${v}, ${literal(spec.format)})`;
}

/** SQL: true when `v` has the format's shape and parses. */
export function fitsSql(spec: DateFormatSpec, v: string): string {
  return `(regexp_full_match(${v}, ${literal(spec.shape)}) AND ${parseSql(spec, v)} IS NOT NULL)`;
}

/** The date-typed value of `v` under a format (a timestamp for timestamp formats). */
export function typedDateSql(format: string | null, kind: 'date' | 'timestamp', v: string): string {
  if (format === null) return kind === 'date' ? `TRY_CAST(${v} AS DATE)` : `TRY_CAST(${v} AS TIMESTAMP)`;
  return kind === 'date' ? `TRY_STRPTIME(${v}, ${literal(format)})::DATE` : `TRY_STRPTIME(${v}, ${literal(format)})`;
}

/** Outcome of checking every format against every sampled value of a column. */
export type DateVerdict =
  | { kind: 'none' }
  | { kind: 'date' | 'timestamp'; format: string | null }
  | { kind: 'ambiguous'; valueKind: 'date' | 'timestamp'; formats: [string, string] };

/** Given how many of `n` values fit each format, the one that fits all, or the twin pair when both do. */
export function dateVerdict(fits: readonly number[], n: number): DateVerdict {
  if (n === 0) return { kind: 'none' };
  const full = DATE_FORMATS.filter((_, i) => fits[i] === n);
  if (full.length === 0) return { kind: 'none' };
  const first = full[0]!;
  const twin = first.twin ? full.find((s) => s.format === first.twin) : undefined;
  if (twin) return { kind: 'ambiguous', valueKind: first.kind, formats: [first.format!, twin.format!] };
  return { kind: first.kind, format: first.format };
}
