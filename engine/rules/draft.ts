/**
 * Making rules without writing them (issue 20):
 *   - from a decision: the breaks a reviewer decided together, and the reason
 *     they gave, become a draft whose conditions are what the breaks share
 *     (field, diff type, a common value on a side, the delta or ratio range,
 *     a record field they all have the same value of), with how many breaks it
 *     would cover in this run and the last runs;
 *   - from inference: a pattern `recon definition infer` proposes (a value map,
 *     a constant shift, a scale, a sign flip, a tolerance) as a draft.
 * A draft is only a starting point: a person edits it and proposes it
 * (governance.ts), and the approver sees its what-if (preview.ts).
 */
import { queryRows } from '../duckdb/open.ts';
import { ReconError } from '../errors/recon-error.ts';
import type { RuleProposal } from '../infer/types.ts';
import { RUN_TABLES } from '../run-file/schema.ts';
import { ident } from '../sql/quote.ts';
import { sql } from '../store/sql.ts';
import type { Store } from '../store/store.ts';
import { previewReasonRule } from './preview.ts';
import { openRuleRunContext, runFileOf } from './run-context.ts';
import type { ReasonRuleConditions, ReasonRuleDraft } from './schema.ts';

/** A draft and what it would cover. */
export interface RuleDraftResult {
  draft: ReasonRuleDraft;
  /** In words, what the breaks share (one line per condition). */
  shared: string[];
  /** Breaks the draft matches: in this run, and per earlier run of the series (newest first). */
  coverage: { runId: string; matched: number; decidedOtherwise: number }[];
}

/** Most distinct values a side may have to become an `in` list. */
const MAX_LIST = 5;
/** Most record fields a draft names (the least common values first: they say the most). */
const MAX_RECORD_FIELDS = 3;

/** The breaks of a bulk ACCEPT or OVERRIDE and the reason they were given (the commonest, for an accept of several suggestions). */
export function decisionBreaks(store: Store, decisionId: string): { runId: string; breakIds: number[]; reason: string } {
  return store.read((tx) => {
    const d = tx.get<{ run_id: string; kind: string; reason: string | null }>(sql`SELECT run_id, kind, reason FROM decisions WHERE decision_id = ${decisionId}`);
    if (!d) throw new ReconError('NOT_FOUND', `no decision ${decisionId}`, { decisionId });
    if (d.kind !== 'ACCEPT' && d.kind !== 'OVERRIDE') {
      throw new ReconError('INVALID_ARGUMENT', `decision ${decisionId} is a ${d.kind.toLowerCase()}: only breaks accepted or overridden with a reason make a rule`, { decisionId });
    }
    const rows = tx.all<{ break_id: number; reason: string | null }>(sql`SELECT break_id, reason FROM decision_breaks WHERE decision_id = ${decisionId} ORDER BY break_id`);
    const byReason = new Map<string, number[]>();
    for (const r of rows) {
      const reason = d.reason ?? r.reason;
      if (reason === null || reason === 'UNKNOWN') continue;
      byReason.set(reason, [...(byReason.get(reason) ?? []), r.break_id]);
    }
    const [reason, breakIds] = [...byReason.entries()].sort((x, y) => y[1].length - x[1].length)[0] ?? [];
    if (reason === undefined || breakIds === undefined) throw new ReconError('INVALID_ARGUMENT', `decision ${decisionId} gave its breaks no reason a rule could give`, { decisionId });
    return { runId: d.run_id, breakIds, reason };
  });
}

/**
 * A draft from breaks a reviewer decided together (a bulk decision) with the
 * reason they gave. INVALID_ARGUMENT when a break id is not in the run.
 */
export async function draftRuleFromBreaks(store: Store, opts: { runId: string; breakIds: readonly number[]; reason: string; name?: string; recentRuns?: number }): Promise<RuleDraftResult> {
  const ids = [...new Set(opts.breakIds)].filter((n) => Number.isSafeInteger(n) && n > 0);
  if (ids.length === 0) throw new ReconError('INVALID_ARGUMENT', 'a draft needs the ids of the breaks decided together (positive whole numbers)');
  const run = runFileOf(store, opts.runId);
  const ctx = await openRuleRunContext(store, run);
  let conditions: ReasonRuleConditions;
  const shared: string[] = [];
  try {
    const c = ctx.conn;
    await c.run(`CREATE OR REPLACE TEMP TABLE __draft_ids AS SELECT unnest([${ids.join(', ')}]::BIGINT[]) AS break_id`);
    const rows = await queryRows<{ break_id: bigint; field: string; diff_type: string; value_a: string | null; value_b: string | null; field_type: string | null; delta: string | null; rid_a: bigint | null; rid_b: bigint | null }>(
      c,
      `SELECT b.break_id, b.field, b.diff_type, b.value_a, b.value_b, b.field_type, b.delta, b.rid_a, b.rid_b FROM ${RUN_TABLES.breaks} b JOIN __draft_ids USING (break_id) ORDER BY b.break_id`,
    );
    if (rows.length !== ids.length) {
      const found = new Set(rows.map((r) => Number(r.break_id)));
      const missing = ids.filter((id) => !found.has(id)).slice(0, 10);
      throw new ReconError('INVALID_ARGUMENT', `run ${opts.runId} has no break ${missing.join(', ')}`, { runId: opts.runId, missing });
    }
    const distinct = <T>(xs: T[]): T[] => [...new Set(xs)];
    const fields = distinct(rows.map((r) => r.field));
    const types = distinct(rows.map((r) => r.diff_type));
    const cond: ReasonRuleConditions = {};
    cond.field = fields.length === 1 ? fields[0]! : fields.length <= MAX_LIST ? fields : undefined;
    if (cond.field === undefined) delete cond.field;
    else shared.push(`field ${fields.join(', ')}`);
    cond.diffType = (types.length === 1 ? types[0]! : types) as ReasonRuleConditions['diffType'];
    shared.push(`diff type ${types.join(', ')}`);
    for (const side of ['a', 'b'] as const) {
      const vals = distinct(rows.map((r) => (side === 'a' ? r.value_a : r.value_b)));
      if (vals.length === 1 && vals[0] !== null) {
        cond[side === 'a' ? 'valueA' : 'valueB'] = { equals: vals[0]! };
        shared.push(`${side.toUpperCase()} is "${vals[0]}"`);
      }
    }
    const isDate = rows.every((r) => r.field_type === 'date');
    const deltas = rows.map((r) => (r.delta === null ? NaN : Number(r.delta)));
    if (deltas.every(Number.isFinite)) {
      const lo = Math.min(...deltas);
      const hi = Math.max(...deltas);
      if (isDate) {
        cond.dayShift = lo === hi ? { equals: lo } : { min: lo, max: hi };
        shared.push(lo === hi ? `a day shift of ${lo}` : `a day shift from ${lo} to ${hi}`);
      } else {
        const ratios = rows.map((r) => Number(r.value_b) / Number(r.value_a));
        const rlo = Math.min(...ratios);
        const rhi = Math.max(...ratios);
        if (ratios.every(Number.isFinite) && rlo !== 0 && Math.abs(rhi / rlo - 1) < 1e-6 && Math.abs(rlo - 1) > 1e-6) {
          cond.ratio = { equals: rlo, tolerance: Math.abs(rlo) * 1e-6 };
          shared.push(`B/A = ${rlo}`);
        } else {
          cond.delta = { min: lo, max: hi };
          shared.push(`a delta from ${lo} to ${hi}`);
        }
      }
    }
    // Record fields all the breaks' records agree on, that not every record of the run has.
    for (const side of ['a', 'b'] as const) {
      const rid = side === 'a' ? 'rid_a' : 'rid_b';
      if (rows.some((r) => r[rid] === null)) continue;
      const cols = await queryRows<{ c: string }>(
        c,
        `SELECT column_name AS c FROM duckdb_columns() WHERE table_name = '${side}' AND data_type = 'VARCHAR' AND NOT starts_with(column_name, '__') ORDER BY column_index`,
      );
      const picks: { field: string; value: string; share: number }[] = [];
      for (const { c: col } of cols) {
        const q = `SELECT (SELECT count(DISTINCT r.${ident(col)}) FROM ${side} r JOIN ${RUN_TABLES.breaks} b ON b.${rid} = r.__rid JOIN __draft_ids USING (break_id)) AS k,
                          (SELECT any_value(r.${ident(col)}) FROM ${side} r JOIN ${RUN_TABLES.breaks} b ON b.${rid} = r.__rid JOIN __draft_ids USING (break_id)) AS v,
                          (SELECT count(*) FILTER (WHERE r.${ident(col)} = (SELECT any_value(r2.${ident(col)}) FROM ${side} r2 JOIN ${RUN_TABLES.breaks} b ON b.${rid} = r2.__rid JOIN __draft_ids USING (break_id))) / greatest(count(*), 1) FROM ${side} r) AS share`;
        const [r] = await queryRows<{ k: bigint; v: string | null; share: number }>(c, q);
        if (r && Number(r.k) === 1 && r.v !== null && r.share < 1) picks.push({ field: col, value: r.v, share: r.share });
      }
      picks.sort((x, y) => x.share - y.share);
      const chosen = picks.slice(0, MAX_RECORD_FIELDS);
      if (chosen.length > 0) {
        cond[side === 'a' ? 'recordA' : 'recordB'] = Object.fromEntries(chosen.map((p) => [p.field, { equals: p.value }]));
        for (const p of chosen) shared.push(`${side.toUpperCase()}'s ${p.field} is "${p.value}" (${(p.share * 100).toFixed(1)}% of its records)`);
      }
    }
    conditions = cond;
  } finally {
    ctx.close();
  }
  const draft: ReasonRuleDraft = { name: opts.name ?? `${opts.reason}: ${shared.slice(0, 2).join(', ')}`.slice(0, 120), reason: opts.reason, definition: run.definition, conditions };
  const preview = await previewReasonRule(store, { rule: draft, runId: opts.runId, recentRuns: opts.recentRuns ?? 5, limit: 0 });
  return { draft, shared, coverage: preview.runs.map((r) => ({ runId: r.runId, matched: r.matched, decidedOtherwise: r.decidedOtherwise })) };
}

/** An inference pattern: a column-wide rule proposal (infer/patterns.ts, tolerance.ts) or a learnt value map (infer/value-maps.ts). */
/** What a draft needs of an inference proposal: its kind, field and value (the report's RuleProposal has more), or a value map. */
export type InferencePattern = Pick<RuleProposal, 'kind' | 'field' | 'value'> | { kind: 'value-map'; field: string; map: Readonly<Record<string, string>> };

/**
 * A draft from an inference pattern: a scale is SCALE_DIFF (B/A = k), a sign
 * flip SIGN_FLIP (B/A = −1), a day or business-day shift TIMING_DIFF, a
 * tolerance ROUNDING_DIFF (abs/rel) or TIMING_DIFF (days), a value map
 * STATIC_DATA (A among the map's values on A, B among those on B; the map's
 * A → B pairs are in the words). `definition` scopes it.
 */
export function draftRuleFromInference(pattern: InferencePattern, opts: { definition?: string | null } = {}): RuleDraftResult {
  const field = pattern.field;
  const scope = { definition: opts.definition ?? null };
  const draft = (name: string, reason: string, conditions: ReasonRuleConditions, shared: string): RuleDraftResult => ({
    draft: { name: name.slice(0, 120), reason, ...scope, conditions: { field, diffType: 'MISMATCH', ...conditions } },
    shared: [`field ${field}`, shared],
    coverage: [],
  });
  switch (pattern.kind) {
    case 'value-map': {
      const pairs = Object.entries(pattern.map);
      if (pairs.length === 0) throw new ReconError('INVALID_ARGUMENT', 'a value map needs at least one pair');
      return draft(`${field}: the same values spelt differently`, 'STATIC_DATA', { valueA: { in: pairs.map(([a]) => a) }, valueB: { in: pairs.map(([, b]) => b) } }, pairs.map(([a, b]) => `${a} ≙ ${b}`).join(', '));
    }
    case 'scale':
      return draft(`${field}: B = A × ${pattern.value}`, 'SCALE_DIFF', { ratio: { equals: pattern.value, tolerance: Math.abs(pattern.value) * 1e-9 } }, `B/A = ${pattern.value}`);
    case 'sign-flip':
      return draft(`${field}: B = −A`, 'SIGN_FLIP', { ratio: { equals: -1, tolerance: 1e-9 } }, 'B/A = −1');
    case 'day-shift':
      return draft(`${field}: B = A + ${pattern.value} days`, 'TIMING_DIFF', { dayShift: { equals: pattern.value } }, `a day shift of ${pattern.value}`);
    case 'business-day-shift': {
      // n business days are n to n + 2 calendar days per weekend crossed; a week at most for a small n.
      const n = pattern.value;
      const span = n >= 0 ? { min: n, max: n + 2 * Math.ceil(Math.abs(n) / 5) } : { min: n - 2 * Math.ceil(Math.abs(n) / 5), max: n };
      return draft(`${field}: B = A + ${n} business days`, 'TIMING_DIFF', { dayShift: span }, `a shift of ${n} business days (${span.min} to ${span.max} calendar days)`);
    }
    case 'abs-tolerance':
      return draft(`${field}: |B − A| ≤ ${pattern.value}`, 'ROUNDING_DIFF', { delta: { absMax: pattern.value } }, `|delta| ≤ ${pattern.value}`);
    case 'rel-tolerance':
      return draft(`${field}: B/A within ${pattern.value}`, 'ROUNDING_DIFF', { ratio: { equals: 1, tolerance: pattern.value } }, `|B/A − 1| ≤ ${pattern.value}`);
    case 'day-tolerance':
      return draft(`${field}: within ${pattern.value} days`, 'TIMING_DIFF', { dayShift: { absMax: pattern.value } }, `|day shift| ≤ ${pattern.value}`);
    default: {
      const never: never = pattern;
      throw new ReconError('INVALID_ARGUMENT', `unknown inference pattern ${JSON.stringify(never)}`);
    }
  }
}
