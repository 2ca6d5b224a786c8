/**
 * The what-if of a proposed rule, for its approver: item by item, the breaks
 * it would re-attribute in a run and in the recent runs of its series, and
 * which of those a reviewer had decided otherwise (their decision beside the
 * rule's reason). Read-only: run files are opened read-only and the store only
 * read.
 */
import { queryRows } from '../duckdb/open.ts';
import { RUN_TABLES } from '../run-file/schema.ts';
import { sql } from '../store/sql.ts';
import type { Store } from '../store/store.ts';
import { openRuleRunContext, seriesRunFiles, type RuleRunContext } from './run-context.ts';
import { parseReasonRule, type ReasonRuleBody } from './schema.ts';

/** A reviewer's decision on a break, from the workflow store. */
export interface BreakDecision {
  status: string;
  reason: string | null;
  decisionId: string;
  decidedBy: string | null;
}

/** One break the rule matches. */
export interface PreviewItem {
  runId: string;
  breakId: number;
  key: string;
  field: string;
  diffType: string;
  valueA: string | null;
  valueB: string | null;
  delta: string | null;
  /** The reason the run gave it now (the model's, or a rule's), and its status (AUTO / REVIEW). */
  currentReason: string | null;
  currentStatus: string | null;
  /** The reason rule that gave the current reason, if one did. */
  currentRule: string | null;
  /** The rule's reason. */
  ruleReason: string;
  /** true: the rule changes the reason (or makes a REVIEW break AUTO). */
  reattributes: boolean;
  decision: BreakDecision | null;
  /** A reviewer decided otherwise: rejected it, or settled another reason. */
  decidedOtherwise: boolean;
}

/** The preview of one run. */
export interface RunPreview {
  runId: string;
  /** The run asked about (the others are its series' earlier runs). */
  current: boolean;
  matched: number;
  reattributed: number;
  decidedOtherwise: number;
  /** Why the rule cannot apply to this run (a record field it lacks), or null. */
  unusable: string | null;
  /** The matched breaks, those decided otherwise first, then re-attributed ones; at most `limit`. */
  items: PreviewItem[];
}

export interface RulePreview {
  rule: ReasonRuleBody;
  runs: RunPreview[];
  totals: { matched: number; reattributed: number; decidedOtherwise: number };
}

export interface PreviewOptions {
  /** The rule proposed: a draft (validated here) or a stored body. */
  rule: unknown;
  runId: string;
  /** Earlier runs of the series to include (default 5). */
  recentRuns?: number;
  /** Most items listed per run (default 500); the counts are always complete. */
  limit?: number;
}

/** The what-if of a rule over a run and the recent runs of its series. */
export async function previewReasonRule(store: Store, opts: PreviewOptions): Promise<RulePreview> {
  const rule = parseReasonRule(opts.rule, { owner: '-' });
  const runs: RunPreview[] = [];
  for (const [i, run] of seriesRunFiles(store, opts.runId, opts.recentRuns ?? 5).entries()) {
    const ctx = await openRuleRunContext(store, run);
    try {
      runs.push({ ...(await previewRun(store, ctx, rule, opts.limit ?? 500)), current: i === 0 });
    } finally {
      ctx.close();
    }
  }
  const sum = (k: 'matched' | 'reattributed' | 'decidedOtherwise'): number => runs.reduce((s, r) => s + r[k], 0);
  return { rule, runs, totals: { matched: sum('matched'), reattributed: sum('reattributed'), decidedOtherwise: sum('decidedOtherwise') } };
}

/** The decisions in force on a run's breaks, by break id. */
export function decisionsOf(store: Store, runId: string): Map<number, BreakDecision> {
  const rows = store.read((tx) =>
    tx.all<{ break_id: number; status: string; reason: string | null; decision_id: string; actor: string | null }>(
      sql`SELECT s.break_id, s.status, s.reason, s.decision_id, d.actor FROM break_status s LEFT JOIN decisions d ON d.decision_id = s.decision_id
           WHERE s.run_id = ${runId} AND s.status IN ('ACCEPTED', 'OVERRIDDEN', 'REJECTED', 'PROPOSED')`,
    ),
  );
  return new Map(rows.map((r) => [r.break_id, { status: r.status, reason: r.reason, decisionId: r.decision_id, decidedBy: r.actor }]));
}

/** A reviewer decided otherwise than `reason`: a real problem (REJECTED), or a settled or proposed other reason. */
export const decidedOtherwise = (d: BreakDecision | null | undefined, reason: string): boolean => d != null && (d.status === 'REJECTED' || (d.reason !== null && d.reason !== reason));

interface MatchRow {
  break_id: bigint | number;
  key: string;
  field: string;
  diff_type: string;
  value_a: string | null;
  value_b: string | null;
  delta: string | null;
  reason: string | null;
  status: string | null;
  rule_name: string | null;
}

async function previewRun(store: Store, ctx: RuleRunContext, rule: ReasonRuleBody, limit: number): Promise<Omit<RunPreview, 'current'>> {
  const { select, unusable } = await ctx.matches([rule]);
  const base = { runId: ctx.run.runId, unusable: unusable[0] ?? null };
  if (select === null) return { ...base, matched: 0, reattributed: 0, decidedOtherwise: 0, items: [] };
  const attr = ctx.hasAttributions
    ? `LEFT JOIN ${RUN_TABLES.attributions} t ON t.break_id = b.break_id`
    : `LEFT JOIN (SELECT NULL::BIGINT AS break_id, NULL::VARCHAR AS reason, NULL::VARCHAR AS status) t ON false`;
  const rows = await queryRows<MatchRow>(
    ctx.conn,
    `SELECT b.break_id, b.key, b.field, b.diff_type, b.value_a, b.value_b, b.delta, t.reason, t.status, ${ctx.hasRuleColumns ? 't.rule_name' : 'NULL::VARCHAR'} AS rule_name
       FROM (${select}) m JOIN ${RUN_TABLES.breaks} b ON b.break_id = m.break_id ${attr} ORDER BY b.break_id`,
  );
  const decisions = decisionsOf(store, ctx.run.runId);
  const all = rows.map((r): PreviewItem => {
    const decision = decisions.get(Number(r.break_id)) ?? null;
    return {
      runId: ctx.run.runId,
      breakId: Number(r.break_id),
      key: r.key,
      field: r.field,
      diffType: r.diff_type,
      valueA: r.value_a,
      valueB: r.value_b,
      delta: r.delta,
      currentReason: r.reason,
      currentStatus: r.status,
      currentRule: r.rule_name,
      ruleReason: rule.reason,
      reattributes: r.reason !== rule.reason || r.status !== 'AUTO',
      decision,
      decidedOtherwise: decidedOtherwise(decision, rule.reason),
    };
  });
  const rank = (i: PreviewItem): number => (i.decidedOtherwise ? 0 : i.reattributes ? 1 : 2);
  return {
    ...base,
    matched: all.length,
    reattributed: all.filter((i) => i.reattributes).length,
    decidedOtherwise: all.filter((i) => i.decidedOtherwise).length,
    items: [...all].sort((x, y) => rank(x) - rank(y) || x.breakId - y.breakId).slice(0, limit),
  };
}
