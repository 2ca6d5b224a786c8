/**
 * One break of a run, as every reader hands it on: the diff's row with the
 * model's attribution. The type is the contract's (`breakSchema`), so the
 * grid, the reports and the workflow's decisions share one shape.
 */
import type { Break } from '../contract/index.ts';
import { breaksWithAttributions } from './schema.ts';

export type { Break };

/** The select list of a Break over `breaks b` and the model's `attributions t` (NULL columns when the run has none). */
export function breakColumns(hasAttributions: boolean): string {
  const model = hasAttributions
    ? 't.reason AS model_reason, t.status AS model_status, t.suggested_reason, t.confidence'
    : 'NULL::VARCHAR AS model_reason, NULL::VARCHAR AS model_status, NULL::VARCHAR AS suggested_reason, NULL::DOUBLE AS confidence';
  return `b.break_id, b.key, b.field, b.diff_type, b.side, b.value_a, b.value_b, b.delta, b.field_type, b.rid_a, b.rid_b, ${model}`;
}

/** Every break as a Break row, unordered: add WHERE / ORDER BY. */
export function breakSelect(hasAttributions: boolean): string {
  return `SELECT ${breakColumns(hasAttributions)} FROM ${breaksWithAttributions(hasAttributions)}`;
}

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

/** A DuckDB row (JSON form: BIGINT as text) with the columns of breakSelect() as a Break. */
export function toBreak(r: Record<string, unknown>): Break {
  return {
    breakId: Number(r['break_id']),
    key: String(r['key'] ?? ''),
    field: String(r['field'] ?? ''),
    diffType: String(r['diff_type'] ?? ''),
    side: str(r['side']),
    valueA: str(r['value_a']),
    valueB: str(r['value_b']),
    delta: str(r['delta']),
    fieldType: str(r['field_type']),
    ridA: num(r['rid_a']),
    ridB: num(r['rid_b']),
    confidence: num(r['confidence']),
    suggestedReason: str(r['suggested_reason']),
    modelReason: str(r['model_reason']),
    modelStatus: str(r['model_status']),
  };
}

/** The model's status as review starts from it: AUTO, else REVIEW (also when the run has no attribution). */
export function baseStatusOf(b: Pick<Break, 'modelStatus'>): 'AUTO' | 'REVIEW' {
  return b.modelStatus === 'AUTO' ? 'AUTO' : 'REVIEW';
}

/** The reason accepting a break records: the attributed reason when AUTO, the model's best guess when REVIEW. */
export function suggestionOf(b: Pick<Break, 'modelStatus' | 'modelReason' | 'suggestedReason'>): string | null {
  return b.modelStatus === 'AUTO' ? b.modelReason : b.suggestedReason;
}
