/**
 * matching.preview: the exact sums of a selection of rows per side, B − A,
 * and whether matching them needs an approver: its amount (the larger of the
 * two absolute sums, as the write side measures it) is above the workspace's
 * `matching.approvalAbove`.
 */
import { queryOne } from '../../duckdb/open.ts';
import { ReconError } from '../../errors/recon-error.ts';
import type { RunFile } from '../run-file.ts';
import type { MatchingLayout } from './layout.ts';
import { amountSql, type Side } from './row-sql.ts';

export interface MatchPreview {
  sumA: string | null;
  sumB: string | null;
  difference: string | null;
  rowsA: number;
  rowsB: number;
  needsApproval: boolean;
  threshold: string;
}

export async function readPreview(db: RunFile, layout: MatchingLayout, rows: readonly { side: Side; rid: number }[], threshold: number): Promise<MatchPreview> {
  const ridsOf = (s: Side): number[] => [...new Set(rows.filter((r) => r.side === s).map((r) => r.rid))];
  const a = ridsOf('a');
  const b = ridsOf('b');
  const amt = amountSql(layout);
  const side = (s: Side, param: string): string => `(SELECT count(*) AS n, coalesce(sum(${amt}), 0) AS total FROM ${s} WHERE NOT __bad AND __rid IN (SELECT unnest(from_json(${param}::JSON, '["BIGINT"]'))))`;
  const r = await db.run((c) =>
    queryOne<{ na: string; nb: string; sum_a: string | null; sum_b: string | null; difference: string | null; above: boolean }>(
      c,
      `SELECT sa.n AS na, sb.n AS nb, CAST(sa.total AS VARCHAR) AS sum_a, CAST(sb.total AS VARCHAR) AS sum_b, CAST(sb.total - sa.total AS VARCHAR) AS difference,
              coalesce(greatest(abs(sa.total), abs(sb.total)) > CAST($3 AS DECIMAL(38, 6)), false) AS above
         FROM ${side('a', '$1')} sa, ${side('b', '$2')} sb`,
      [JSON.stringify(a), JSON.stringify(b), String(threshold)],
    ),
  );
  if (Number(r.na) !== a.length || Number(r.nb) !== b.length) {
    throw new ReconError('NOT_FOUND', `run ${db.runId}: some of the selected rows are not loaded rows of their side`, { runId: db.runId });
  }
  const hasAmount = layout.amount !== undefined;
  return {
    sumA: hasAmount ? r.sum_a : null,
    sumB: hasAmount ? r.sum_b : null,
    difference: hasAmount ? r.difference : null,
    rowsA: a.length,
    rowsB: b.length,
    needsApproval: hasAmount && r.above === true,
    threshold: String(threshold),
  };
}
