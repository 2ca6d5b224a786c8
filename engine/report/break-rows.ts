import { queryRows } from '../duckdb/open.ts';
import type { DecisionInfo, DecisionReader } from './decisions.ts';
import type { RunFile } from './run-file.ts';

/**
 * Every break of a run with its attribution and any reviewer decision, in
 * break-id order, a batch at a time; decisions are looked up per batch.
 */
export interface BreakRow {
  breakId: number;
  key: string;
  field: string;
  diffType: string;
  side: string | null;
  valueA: string | null;
  valueB: string | null;
  /** Exact B − A as text (days for dates); null when not a number or date. */
  delta: string | null;
  fieldType: string | null;
  reason: string | null;
  suggestedReason: string | null;
  confidence: number | null;
  /** The model's status: AUTO or REVIEW. */
  modelStatus: string | null;
  decision: DecisionInfo | undefined;
}

/** The detailed exports' SELECT: breaks left-joined with attributions when the run has them. */
export function breaksSelect(run: RunFile): string {
  const attr = run.hasAttributions
    ? 't.reason, t.suggested_reason, t.confidence, t.status AS model_status FROM breaks b LEFT JOIN attributions t ON t.break_id = b.break_id'
    : 'NULL::VARCHAR AS reason, NULL::VARCHAR AS suggested_reason, NULL::DOUBLE AS confidence, NULL::VARCHAR AS model_status FROM breaks b';
  return `SELECT b.break_id, b.key, b.field, b.diff_type, b.side, b.value_a, b.value_b, b.delta, b.field_type, ${attr}`;
}

/**
 * Yields the run's breaks in batches of `size`. break_id is 1..N (row_number
 * in the diff), so batch k is one id range: DuckDB never sorts or holds the
 * whole table, and a million breaks export in bounded memory.
 */
export async function* breakBatches(run: RunFile, decisions: DecisionReader, size = 10_000): AsyncGenerator<BreakRow[]> {
  const [{ hi }] = (await queryRows<{ hi: string | null }>(run.conn, 'SELECT max(break_id) AS hi FROM breaks')) as [{ hi: string | null }];
  const last = hi === null ? 0 : Number(hi);
  const select = `${breaksSelect(run)} WHERE b.break_id BETWEEN $1 AND $2 ORDER BY b.break_id`;
  for (let lo = 1; lo <= last; lo += size) {
    const rows = await queryRows<Record<string, unknown>>(run.conn, select, [lo, lo + size - 1]);
    if (rows.length === 0) continue;
    const found = decisions.range(lo, lo + size - 1);
    yield rows.map((r) => toBreakRow(r, found));
  }
}

function toBreakRow(r: Record<string, unknown>, decisions: Map<number, DecisionInfo>): BreakRow {
  const breakId = Number(r['break_id']);
  return {
    breakId,
    key: String(r['key'] ?? ''),
    field: String(r['field'] ?? ''),
    diffType: String(r['diff_type'] ?? ''),
    side: str(r['side']),
    valueA: str(r['value_a']),
    valueB: str(r['value_b']),
    delta: str(r['delta']),
    fieldType: str(r['field_type']),
    reason: str(r['reason']),
    suggestedReason: str(r['suggested_reason']),
    confidence: r['confidence'] === null || r['confidence'] === undefined ? null : Number(r['confidence']),
    modelStatus: str(r['model_status']),
    decision: decisions.get(breakId),
  };
}

const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

/** A break's status now: the reviewer's when decided, else the model's. */
export function currentStatus(r: BreakRow): string {
  return r.decision?.status ?? r.modelStatus ?? 'REVIEW';
}
