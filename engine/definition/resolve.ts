import { clippedValues, clipText, quoted, quotedList } from '../errors/quote.ts';
import { ReconError } from '../errors/recon-error.ts';
import type { Definition, FieldType, SideAdjust, Tolerance } from './schema.ts';

/** A definition field bound to actual columns of both files. */
export interface ResolvedField {
  /** Name in results (A-side name). */
  name: string;
  aColumn: string;
  bColumn: string;
  type: FieldType;
  scale: number;
  /** Decimals: a value with more places than `scale` is rounded (the default) or rejected. */
  rounding?: 'round' | 'reject';
  mapA: Record<string, string> | undefined;
  mapB: Record<string, string> | undefined;
  case: 'upper' | 'lower' | 'none';
  trim: boolean;
  dateFormatA: string[] | undefined;
  dateFormatB: string[] | undefined;
  tolerance: Tolerance;
  /** Per-side normalization of the typed value (scale, sign, day shifts), applied before comparing. */
  adjustA: SideAdjust | undefined;
  adjustB: SideAdjust | undefined;
  compare: boolean;
  isKey: boolean;
  /** False for columns compared only because compareUnlisted is on. */
  listed: boolean;
}

export interface ResolvedDefinition {
  definition: Definition;
  fields: ResolvedField[];
  keyFields: ResolvedField[];
  currencyField: ResolvedField | undefined;
  /** The date field that gives the run's as-of date, if the definition names one. */
  asOfField: ResolvedField | undefined;
  /** Columns of A bound to no field and with no same-named column in B: compared with nothing. */
  columnsOnlyInA: string[];
  columnsOnlyInB: string[];
}

export interface ColumnsOf {
  path: string;
  columns: readonly string[];
}

export const DEFAULT_DECIMAL_SCALE = 6;

/**
 * The type the sources themselves declare for a pair of columns (a query source's
 * database types, ingest/db/column-types.ts), used where the definition leaves a
 * field a string: a listed field of type "string" and every column it does not list.
 */
export type ColumnTypeOf = (aColumn: string, bColumn: string) => { type: FieldType; scale?: number } | undefined;

/** Binds every field to a column of A and of B, or fails naming the file and its columns. */
export function resolveDefinition(def: Definition, a: ColumnsOf, b: ColumnsOf, typeOf?: ColumnTypeOf): ResolvedDefinition {
  const fields: ResolvedField[] = [];
  const usedA = new Set<string>();
  const usedB = new Set<string>();
  const keyLower = new Set(def.key.map((k) => k.toLowerCase()));

  const asList = (v: string | string[] | undefined): string[] | undefined => (v === undefined ? undefined : Array.isArray(v) ? v : [v]);
  const srcA = def.sources.a;
  const srcB = def.sources.b;

  for (const f of def.fields) {
    const aColumn = findColumn(a, f.name, 'A', f.name);
    const bColumn = findColumn(b, f.b ?? f.name, 'B', f.name);
    usedA.add(aColumn);
    usedB.add(bColumn);
    const perSide = f.dateFormat !== undefined && typeof f.dateFormat === 'object' && !Array.isArray(f.dateFormat) ? f.dateFormat : undefined;
    const shared = perSide ? undefined : asList(f.dateFormat as string | string[] | undefined);
    const declared = typeOf?.(aColumn, bColumn);
    const type = f.type === 'string' ? (declared?.type ?? 'string') : f.type;
    const sourceFormat = (side: typeof srcA): string[] | undefined =>
      asList(type === 'timestamp' ? side.timestampFormat : side.dateFormat);
    fields.push({
      name: f.name,
      aColumn,
      bColumn,
      type,
      scale: f.scale ?? (type === 'decimal' && declared?.type === 'decimal' ? declared.scale : undefined) ?? DEFAULT_DECIMAL_SCALE,
      ...(type === 'decimal' ? { rounding: f.rounding ?? def.normalize.rounding ?? 'round' } : {}),
      mapA: f.map?.a,
      mapB: f.map?.b,
      case: f.case ?? (type === 'string' ? def.normalize.case : 'none'),
      trim: f.trim ?? def.normalize.trim,
      dateFormatA: asList(perSide?.a) ?? shared ?? sourceFormat(srcA),
      dateFormatB: asList(perSide?.b) ?? shared ?? sourceFormat(srcB),
      tolerance: f.tolerance ?? {},
      adjustA: f.adjust?.a,
      adjustB: f.adjust?.b,
      compare: f.compare ?? true,
      isKey: keyLower.has(f.name.toLowerCase()),
      listed: true,
    });
  }

  const plain = (aColumn: string, bColumn: string, listed: boolean): ResolvedField => {
    const declared = typeOf?.(aColumn, bColumn);
    return declared && declared.type !== 'string' ? typedPlain(aColumn, bColumn, listed, declared) : stringPlain(aColumn, bColumn, listed);
  };
  // A column the definition does not list, typed by its source: date formats and decimal rounding as a listed field of that type gets.
  const typedPlain = (aColumn: string, bColumn: string, listed: boolean, declared: { type: FieldType; scale?: number }): ResolvedField => {
    const formats = (side: typeof srcA): string[] | undefined => asList(declared.type === 'timestamp' ? side.timestampFormat : declared.type === 'date' ? side.dateFormat : undefined);
    return {
      ...stringPlain(aColumn, bColumn, listed),
      type: declared.type,
      scale: declared.scale ?? DEFAULT_DECIMAL_SCALE,
      ...(declared.type === 'decimal' ? { rounding: def.normalize.rounding ?? 'round' } : {}),
      case: 'none',
      dateFormatA: formats(srcA),
      dateFormatB: formats(srcB),
    };
  };
  const stringPlain = (aColumn: string, bColumn: string, listed: boolean): ResolvedField => ({
    name: aColumn,
    aColumn,
    bColumn,
    type: 'string',
    scale: DEFAULT_DECIMAL_SCALE,
    mapA: undefined,
    mapB: undefined,
    case: def.normalize.case,
    trim: def.normalize.trim,
    dateFormatA: undefined,
    dateFormatB: undefined,
    tolerance: {},
    adjustA: undefined,
    adjustB: undefined,
    compare: true,
    isKey: keyLower.has(aColumn.toLowerCase()),
    listed,
  });

  // Key fields that are not listed are plain strings found by name on both sides.
  for (const k of def.key) {
    if (fields.some((f) => f.name.toLowerCase() === k.toLowerCase())) continue;
    const aColumn = findColumn(a, k, 'A', k);
    const bColumn = findColumn(b, k, 'B', k);
    usedA.add(aColumn);
    usedB.add(bColumn);
    fields.push(plain(aColumn, bColumn, true));
  }

  if (def.compareUnlisted) {
    // By lower-case name, so that thousands of columns take no quadratic search.
    const bByLower = new Map<string, string[]>();
    for (const c of b.columns) bByLower.set(c.toLowerCase(), [...(bByLower.get(c.toLowerCase()) ?? []), c]);
    const fieldNames = new Set(fields.map((f) => f.name.toLowerCase()));
    for (const col of a.columns) {
      if (usedA.has(col) || col.startsWith('__')) continue;
      const match = bByLower.get(col.toLowerCase())?.find((c) => !usedB.has(c));
      if (match === undefined) continue;
      if (fieldNames.has(col.toLowerCase())) continue;
      usedA.add(col);
      usedB.add(match);
      fields.push(plain(col, match, false));
      fieldNames.add(col.toLowerCase());
    }
  }

  const keyFields = def.key.map((k) => fields.find((f) => f.name.toLowerCase() === k.toLowerCase())!);
  const currencyField = def.currencyField
    ? fields.find((f) => f.name.toLowerCase() === def.currencyField!.toLowerCase())
    : fields.find((f) => f.type === 'string' && /^(ccy|currency|curr|cur|currency_code|ccy_code)$/i.test(f.name));
  if (def.currencyField && !currencyField) {
    throw new ReconError('DEFINITION_INVALID', `currencyField ${quoted(def.currencyField)} is not one of the definition's fields (${quotedList(fields.map((f) => f.name))})`);
  }
  const asOfField = def.asOfField ? fields.find((f) => f.name.toLowerCase() === def.asOfField!.toLowerCase()) : undefined;
  if (def.asOfField && asOfField?.type !== 'date') {
    throw new ReconError(
      'DEFINITION_INVALID',
      asOfField
        ? `asOfField ${quoted(def.asOfField)} is a ${asOfField.type} field; the as-of date must come from a date field`
        : `asOfField ${quoted(def.asOfField)} is not one of the definition's fields (${quotedList(fields.map((f) => f.name))})`,
    );
  }
  // A column left unbound because compareUnlisted is off is on both sides, not "only in" one.
  const onlyIn = (own: ColumnsOf, used: Set<string>, other: ColumnsOf): string[] => {
    const otherNames = new Set(other.columns.map((c) => c.toLowerCase()));
    return own.columns.filter((c) => !used.has(c) && !c.startsWith('__') && (def.compareUnlisted || !otherNames.has(c.toLowerCase())));
  };
  return { definition: def, fields, keyFields, currencyField, asOfField, columnsOnlyInA: onlyIn(a, usedA, b), columnsOnlyInB: onlyIn(b, usedB, a) };
}

/** A file's columns by name and by lower-case name, made once per list of columns. */
const columnIndex = new WeakMap<readonly string[], { size: number; exact: Set<string>; folded: Map<string, string[]> }>();

function findColumn(src: ColumnsOf, wanted: string, side: 'A' | 'B', field: string): string {
  let index = columnIndex.get(src.columns);
  if (!index || index.size !== src.columns.length) {
    const folded = new Map<string, string[]>();
    for (const c of src.columns) folded.set(c.toLowerCase(), [...(folded.get(c.toLowerCase()) ?? []), c]);
    index = { size: src.columns.length, exact: new Set(src.columns), folded };
    columnIndex.set(src.columns, index);
  }
  if (index.exact.has(wanted)) return wanted;
  const folded = index.folded.get(wanted.toLowerCase()) ?? [];
  if (folded.length === 1) return folded[0]!;
  // Column names come from the file (a header can be megabytes, or 100,000 columns): quoted bounded.
  const columns = src.columns.filter((c) => !c.startsWith('__'));
  throw new ReconError(
    'COLUMN_NOT_FOUND',
    `${src.path}: source ${side} has no column ${quoted(wanted)} (field ${quoted(field)}). Its columns are: ${quotedList(columns)}`,
    { file: src.path, side: side.toLowerCase(), column: clipText(wanted), field: clipText(field), columns: clippedValues(columns), columnCount: columns.length },
  );
}
