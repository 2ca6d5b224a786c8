import type { DefinitionInput, FieldAdjust, FieldType, SourceFormat, Tolerance } from '../definition/schema.ts';

/**
 * What inference returns besides the definition: every choice with a
 * confidence (0..1) and one line saying why, so a person (or the new-run
 * screen) can confirm or change it.
 */
export interface Choice<T> {
  value: T;
  confidence: number;
  reason: string;
}

export type Side = 'a' | 'b';

/** How one file is written. */
export interface DialectReport {
  side: Side;
  path: string;
  format: Choice<SourceFormat>;
  encoding: Choice<string>;
  /** Delimited text only. */
  delimiter?: Choice<string>;
  quote?: Choice<string>;
  header: Choice<boolean>;
  skipRows?: Choice<number>;
  decimalSeparator: Choice<'.' | ','>;
  thousandsSeparator?: Choice<string>;
  /** Per date/timestamp column: the strptime format, or undefined for ISO. */
  dateFormats: { column: string; format: Choice<string | null> }[];
  nullValues?: Choice<string[]>;
  columns: string[];
  /** Records in the file: exact when the whole file was sampled, else estimated from its size. */
  rows: number;
  rowsExact: boolean;
  sampled: number;
}

/** One column's type as profiled on its own side. */
export interface ColumnTypeReport {
  column: string;
  type: FieldType | 'empty';
  /** When dd/mm and mm/dd both fit every sampled value: the two formats. */
  ambiguousDate?: [string, string];
  format?: string | null;
  scale?: number;
  confidence: number;
  reason: string;
}

/** A proposed field: an A column bound to a B column. */
export interface FieldReport {
  name: string;
  b: string;
  mapping: Choice<string>;
  type: Choice<FieldType>;
  scale?: number;
  case?: Choice<'upper'>;
  map?: Choice<Record<string, string>>;
  /** Share of key-matched records whose values agree as the definition compares them (null: no matched records). */
  agreement: number | null;
  /** Set when the field is carried but not compared until a person decides (e.g. an ambiguous date format). */
  notCompared?: string;
}

/** A value-map candidate that was looked at and refused (e.g. a spelling variant that is a break). */
export interface RefusedMap {
  field: string;
  from: string;
  to: string;
  records: number;
  reason: string;
}

/**
 * A column-wide pattern a person may turn into a rule. Inference never adds it
 * to the definition; accepting it merges `adjust` into the field
 * (`applyRuleProposals`, or `recon definition infer --accept-rules`).
 */
export interface RuleProposal {
  field: string;
  kind: 'scale' | 'day-shift' | 'business-day-shift' | 'sign-flip' | 'abs-tolerance' | 'rel-tolerance' | 'day-tolerance';
  /**
   * As measured: the factor k with B = A × k (−1 for a sign flip), or n with
   * B = A + n days / business days; for a tolerance, the proposed limit.
   */
  value: number;
  /**
   * The fragment to merge into the field's `adjust` to accept the proposal:
   * the inverse of the pattern on side b (B = A × 100 → {"b": {"multiply": "0.01"}},
   * B = A + 1 business day → {"b": {"shiftBusinessDays": -1}}). An integer field
   * is multiplied by whole numbers only, so B = A × 100 there is {"a": {"multiply": "100"}}.
   */
  adjust: FieldAdjust;
  /**
   * A tolerance proposal's fragment of the field's `tolerance` (its `adjust`
   * is empty): {"abs": "400"}, {"rel": "0.005"} or {"days": 2}, measured on
   * the distribution of |A − B| over key-matched records.
   */
  tolerance?: Tolerance;
  /** Key-matched sample records the pattern explains, of `differing` that differ and `compared` with both values. */
  explains: number;
  differing: number;
  compared: number;
  /** Explained records extrapolated to the whole of file A. */
  estimatedRecords: number;
  /** True when it explains most compared records: propose as a rule; else the records are likely breaks. */
  columnWide: boolean;
  reason: string;
  /** Keys of records the pattern explains; for a tolerance, records beyond it (the breaks it leaves). */
  exampleKeys: string[];
}

/** Something inference would not decide: a person must. */
export interface Question {
  field?: string;
  side?: Side;
  message: string;
  options: string[];
  /** Evidence that may help, never applied automatically. */
  hint?: string;
}

export interface KeyReport extends Choice<string[]> {
  bColumns: string[];
  /** Share of sampled A keys found in B. */
  overlap: number;
  duplicatesA: number;
  duplicatesB: number;
  alternatives: { a: string[]; b: string[]; overlap: number; why: string }[];
}

export interface InferenceReport {
  files: { a: DialectReport; b: DialectReport };
  columns: { a: ColumnTypeReport[]; b: ColumnTypeReport[] };
  key: KeyReport;
  fields: FieldReport[];
  unmatched: { a: string[]; b: string[] };
  refusedMaps: RefusedMap[];
  rules: RuleProposal[];
  questions: Question[];
  currencyField?: Choice<string>;
  warnings: string[];
  sample: { rows: number; seed: number; matchedRecords: number };
  timings: Record<string, number>;
}

export interface InferenceResult {
  /** Valid against definitionSchema; only certain choices are in it. */
  definition: DefinitionInput;
  report: InferenceReport;
}

export type InferStage = 'dialect' | 'sample' | 'match' | 'analyse' | 'done';

/** Progress for a UI: `overall` never moves back. */
export interface InferProgress {
  stage: InferStage;
  label: string;
  overall: number;
}
