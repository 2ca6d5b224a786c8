/** What runs.get reads from the run file: the summary as the run wrote it, the definition used and the attribution summary. */
import type { z } from 'zod';
import type { attributionSummarySchema } from '../../contract/index.ts';
import { queryRows } from '../../duckdb/open.ts';
import type { RunDb } from './run-db.ts';

export type AttributionSummary = z.infer<typeof attributionSummarySchema>;

export async function readRunInfo(db: RunDb): Promise<{ summary: unknown; definition: unknown; attribution: AttributionSummary | null }> {
  return db.run(async (c) => {
    const info = await queryRows<{ d: string | null; s: string | null }>(c, 'SELECT CAST(definition AS VARCHAR) AS d, CAST(summary AS VARCHAR) AS s FROM run_info LIMIT 1');
    const definition = info[0]?.d ? (JSON.parse(info[0].d) as unknown) : null;
    const summary = info[0]?.s ? (JSON.parse(info[0].s) as unknown) : null;
    if (!db.hasAttributions) return { summary, definition, attribution: null };
    const rows = await queryRows<{ kind: string; value: string | null; n: string }>(
      c,
      `SELECT 'reason' AS kind, reason AS value, count(*) AS n FROM attributions GROUP BY 2
       UNION ALL SELECT 'status', status, count(*) FROM attributions GROUP BY 2`,
    );
    const byReason: Record<string, number> = {};
    const byStatus: Record<string, number> = {};
    for (const r of rows) (r.kind === 'reason' ? byReason : byStatus)[r.value ?? '(none)'] = Number(r.n);
    const unknown = byReason['UNKNOWN'] ?? 0;
    return { summary, definition, attribution: { byReason, byStatus, unknownRate: db.total === 0 ? 0 : unknown / db.total } };
  });
}
