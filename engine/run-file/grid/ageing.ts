/**
 * runs.ageing: a run's break memory at a glance, in SQL over `grid_memory`.
 * Lifecycle counts against the previous run come from the file alone (kept
 * per open run); the age buckets per reason and the overdue count read the
 * reason shown now (a decision's over the model's) and its SLA, so they are
 * kept as an 'overlay:' memo, dropped when decisions or SLAs change.
 */
import type { CallResult } from '../../contract/index.ts';
import { queryRows } from '../../duckdb/open.ts';
import type { RunFile } from '../run-file.ts';
import { RUN_TABLES, GRID_MEMORY } from '../schema.ts';
import { readSeriesInfo } from '../series-info.ts';
import { breaksFrom, COLUMN_SQL, memoryJoins } from './sql.ts';

type Ageing = CallResult<'runs.ageing'>;
type Lifecycle = Ageing['lifecycle'];
type ReasonAge = Ageing['byReason'][number];

/** Upper bounds (days, inclusive) of the age buckets but the last. */
const BUCKETS_SQL = `count(*) FILTER (WHERE m.age_days <= 1) AS d0to1,
       count(*) FILTER (WHERE m.age_days BETWEEN 2 AND 5) AS d2to5,
       count(*) FILTER (WHERE m.age_days BETWEEN 6 AND 30) AS d6to30,
       count(*) FILTER (WHERE m.age_days > 30) AS over30`;

export async function readAgeing(db: RunFile): Promise<Ageing> {
  const info = await readSeriesInfo(db);
  const lifecycle = await lifecycleCounts(db);
  const byReason = db.hasMemory ? await reasonAges(db) : [];
  const zero = { d0to1: 0, d2to5: 0, d6to30: 0, over30: 0 };
  const total = byReason.reduce(
    (t, r) => ({ d0to1: t.d0to1 + r.d0to1, d2to5: t.d2to5 + r.d2to5, d6to30: t.d6to30 + r.d6to30, over30: t.over30 + r.over30 }),
    zero,
  );
  return {
    hasMemory: db.hasMemory,
    asOf: info?.asOf ?? null,
    previousRunId: info?.previousRunId ?? null,
    lifecycle,
    byReason,
    total,
    overdue: byReason.reduce((n, r) => n + r.overdue, 0),
  };
}

async function lifecycleCounts(db: RunFile): Promise<Lifecycle> {
  const cached = db.memo.get('ageing:lifecycle') as Lifecycle | undefined;
  if (cached !== undefined) return cached;
  const out = { new: 0, carried: 0, changed: 0, resolved: 0 };
  if (db.hasMemory) {
    const rows = await db.run((c) => queryRows<{ lifecycle: string; n: string }>(c, `SELECT lifecycle, count(*) AS n FROM ${GRID_MEMORY} GROUP BY lifecycle`));
    for (const r of rows) {
      if (r.lifecycle === 'NEW') out.new = Number(r.n);
      else if (r.lifecycle === 'CARRIED') out.carried = Number(r.n);
      else if (r.lifecycle === 'CHANGED') out.changed = Number(r.n);
    }
    if (db.tables.has(RUN_TABLES.resolvedBreaks)) {
      const [r] = await db.run((c) => queryRows<{ n: string }>(c, `SELECT count(*) AS n FROM ${RUN_TABLES.resolvedBreaks}`));
      out.resolved = Number(r?.n ?? 0);
    }
  }
  db.memo.set('ageing:lifecycle', out);
  return out;
}

async function reasonAges(db: RunFile): Promise<ReasonAge[]> {
  const cached = db.memo.get('overlay:ageing') as ReasonAge[] | undefined;
  if (cached !== undefined) return cached;
  const attr = db.hasAttributions;
  const rows = await db.run((c) =>
    queryRows<{ reason: string | null; total: string; d0to1: string; d2to5: string; d6to30: string; over30: string; sla: number | null; overdue: string }>(
      c,
      `SELECT ${COLUMN_SQL.reason.expr(attr)} AS reason, count(*) AS total, ${BUCKETS_SQL},
              max(s.sla_days) AS sla, count(*) FILTER (WHERE m.age_days > s.sla_days) AS overdue
         FROM ${breaksFrom(attr)} ${memoryJoins(attr)}
        GROUP BY 1 ORDER BY total DESC, reason NULLS LAST`,
    ),
  );
  const ages = rows.map((r) => ({
    reason: r.reason,
    total: Number(r.total),
    d0to1: Number(r.d0to1),
    d2to5: Number(r.d2to5),
    d6to30: Number(r.d6to30),
    over30: Number(r.over30),
    slaDays: r.sla === null ? null : Number(r.sla),
    overdue: Number(r.overdue),
  }));
  db.memo.set('overlay:ageing', ages);
  return ages;
}
