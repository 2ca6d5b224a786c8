/**
 * The new-run form's state and the recon definition it stands for. Pure, so
 * the mapping rules are unit-tested without a browser.
 */
import type { DefinitionInput, FieldType, FilePreview } from '../../../../engine/contract/index.ts';
import { inferScale, inferSourceOptions, inferType, suggestCase, suggestValueMap } from './infer.ts';
import { suggestMapping } from './suggest.ts';

export interface SourceForm {
  path: string;
  /** '' = sniffed by the engine. */
  delimiter: string;
  decimalSeparator: '.' | ',';
  /** strptime format; '' = ISO dates. */
  dateFormat: string;
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
}

export interface Draft {
  name: string;
  a: SourceForm;
  b: SourceForm;
  rows: FieldRow[];
  trim: boolean;
}

export const emptySource = (): SourceForm => ({ path: '', delimiter: '', decimalSeparator: '.', dateFormat: '' });
export const emptyDraft = (): Draft => ({ name: '', a: emptySource(), b: emptySource(), rows: [], trim: true });

const column = (p: FilePreview, name: string | null): (string | null)[] => {
  const i = name === null ? -1 : p.columns.indexOf(name);
  return i < 0 ? [] : p.rows.map((r) => r[i] ?? null);
};

/** Mapping rows suggested from both previews: B column by name, type and scale from the values, a key guess. */
export function suggestRows(a: FilePreview, b: FilePreview): FieldRow[] {
  const mapping = suggestMapping(a.columns, b.columns);
  const rows = a.columns.map((name): FieldRow => {
    const bName = mapping.get(name) ?? null;
    const values = [...column(a, name), ...column(b, bName)];
    const type = inferType(values);
    return {
      a: name,
      b: bName,
      type,
      scale: type === 'decimal' ? String(inferScale(values)) : '',
      isKey: false,
      abs: '',
      rel: '',
      days: '',
      caseFold: type === 'string' ? suggestCase(column(a, name), column(b, bName)) : 'none',
      mapB: type === 'string' ? suggestValueMap(column(a, name), column(b, bName)) : null,
    };
  });
  // The key: a column named like an id whose sample values are all distinct, else the first column.
  const distinct = (r: FieldRow): boolean => new Set(column(a, r.a)).size === a.rows.length && a.rows.length > 0;
  const key = rows.find((r) => /(^|[^a-z])(id|ref|key)$|id$/i.test(r.a) && distinct(r)) ?? rows.find(distinct) ?? rows[0];
  if (key) key.isKey = true;
  return rows;
}

/** Source options a preview suggests (decimal comma, day-first dates). */
export function suggestSource(form: SourceForm, p: FilePreview): SourceForm {
  const inferred = inferSourceOptions(p.columns.map((c) => column(p, c)));
  return { ...form, delimiter: form.delimiter || (p.delimiter ?? ''), ...inferred };
}

const sourceOptions = (s: SourceForm): NonNullable<DefinitionInput['sources']>['a'] => ({
  ...(s.delimiter !== '' ? { delimiter: s.delimiter } : {}),
  ...(s.decimalSeparator !== '.' ? { decimalSeparator: s.decimalSeparator } : {}),
  ...(s.dateFormat !== '' ? { dateFormat: s.dateFormat } : {}),
});

/** The definition the form describes. Unmapped columns are not compared. */
export function toDefinition(d: Draft): DefinitionInput {
  const used = d.rows.filter((r) => r.b !== null);
  const currency = used.find((r) => /^(currency|ccy)$/i.test(r.a));
  return {
    name: d.name.trim(),
    key: used.filter((r) => r.isKey).map((r) => r.a),
    sources: { a: sourceOptions(d.a), b: sourceOptions(d.b) },
    fields: used.map((r) => {
      const tolerance = {
        ...(r.abs.trim() !== '' ? { abs: r.abs.trim() } : {}),
        ...(r.rel.trim() !== '' ? { rel: r.rel.trim() } : {}),
        ...(r.days.trim() !== '' ? { days: Number(r.days) } : {}),
      };
      return {
        name: r.a,
        ...(r.b !== null && r.b !== r.a ? { b: r.b } : {}),
        type: r.type,
        ...(r.type === 'decimal' && r.scale.trim() !== '' ? { scale: Number(r.scale) } : {}),
        ...(Object.keys(tolerance).length > 0 ? { tolerance } : {}),
        ...(r.caseFold !== 'none' ? { case: r.caseFold } : {}),
        ...(r.mapB !== null && Object.keys(r.mapB).length > 0 ? { map: { b: r.mapB } } : {}),
      };
    }),
    normalize: { trim: d.trim },
    compareUnlisted: false,
    ...(currency ? { currencyField: currency.a } : {}),
  };
}

/** What keeps the draft from running, in words; empty when it is ready. */
export function draftProblems(d: Draft): string[] {
  const out: string[] = [];
  if (d.a.path.trim() === '' || d.b.path.trim() === '') out.push('Give both files.');
  if (d.rows.length === 0) out.push('Preview both files to map their columns.');
  else if (!d.rows.some((r) => r.isKey && r.b !== null)) out.push('Choose at least one key column that exists on both sides.');
  if (d.name.trim() === '') out.push('Name the definition.');
  return out;
}
