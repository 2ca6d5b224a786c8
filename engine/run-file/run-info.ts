/** What a run file says about its run: the summary as the run wrote it, the definition used and the attribution summary. */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { z } from 'zod';
import type { attributionSummarySchema } from '../contract/index.ts';
import { queryRows } from '../duckdb/open.ts';
import type { RunFile } from './run-file.ts';
import { RUN_TABLES } from './schema.ts';

export type AttributionSummary = z.infer<typeof attributionSummarySchema>;

/** The `run_info` row as JSON text, or undefined when the table is empty. */
export async function readRunInfoText(c: DuckDBConnection): Promise<{ definition: string | null; summary: string | null } | undefined> {
  const [info] = await queryRows<{ definition: string | null; summary: string | null }>(
    c,
    `SELECT CAST(definition AS VARCHAR) AS definition, CAST(summary AS VARCHAR) AS summary FROM ${RUN_TABLES.runInfo} LIMIT 1`,
  );
  return info;
}

/** The run's summary and definition (null when absent) and, when attribution ran, its counts by reason and status. */
export async function readRunInfo(db: RunFile): Promise<{ summary: unknown; definition: unknown; attribution: AttributionSummary | null }> {
  return db.run(async (c) => {
    const info = await readRunInfoText(c);
    const definition = info?.definition ? (JSON.parse(info.definition) as unknown) : null;
    const summary = info?.summary ? (JSON.parse(info.summary) as unknown) : null;
    if (!db.hasAttributions) return { summary, definition, attribution: null };
    const rows = await queryRows<{ kind: string; value: string | null; n: string }>(
      c,
      `SELECT 'reason' AS kind, reason AS value, count(*) AS n FROM ${RUN_TABLES.attributions} GROUP BY 2
       UNION ALL SELECT 'status', status, count(*) FROM ${RUN_TABLES.attributions} GROUP BY 2`,
    );
    const byReason: Record<string, number> = {};
    const byStatus: Record<string, number> = {};
    for (const r of rows) (r.kind === 'reason' ? byReason : byStatus)[r.value ?? '(none)'] = Number(r.n);
    const unknown = byReason['UNKNOWN'] ?? 0;
    return { summary, definition, attribution: { byReason, byStatus, unknownRate: db.total === 0 ? 0 : unknown / db.total } };
  });
}
