/**
 * Reason rules compiled to one DuckDB statement over a run's breaks: every
 * rule's conditions become a boolean expression, and one CASE gives each break
 * the index of the first rule (in order) that matches it. The breaks are
 * joined to their A/B records only for the record fields some rule names, and
 * to their history only when some rule asks for it, so a run whose rules look
 * at the break alone pays for one scan of `breaks`.
 *
 * Values are compared as text (the typed value cast to VARCHAR, as the run
 * stored it); the delta and ratio as DOUBLE, which is what a tolerance or a
 * range of a rule means (the exact delta stays in the break).
 */
import { ident, literal } from '../sql/quote.ts';
import { RUN_TABLES } from '../run-file/schema.ts';
import { SAME_REASON, type NumberTest, type ReasonRuleConditions, type ValueTest } from './schema.ts';

/** A rule as compiled: its reason and conditions. */
export interface CompilableRule {
  reason: string;
  conditions: ReasonRuleConditions;
}

/** What the run's file offers the rules. */
export interface RuleSqlContext {
  /** The columns of the `a` and `b` views (the record fields a rule may name). */
  columnsA: ReadonlySet<string>;
  columnsB: ReadonlySet<string>;
  /**
   * A relation with (break_id, lifecycle, age_runs, prev_reason, prev_decided):
   * the breaks' history. Absent: history conditions cannot hold (a run without memory).
   */
  history?: string;
  /** The breaks relation (default the run's `breaks`). */
  breaks?: string;
}

/** The compiled statement's SELECT: (break_id, idx) of every break some rule matches, idx the 0-based index of the first. */
export interface CompiledRules {
  /** SELECT break_id, idx …; null when no rule can match in this run. */
  select: string | null;
  /** Per rule: why it cannot match in this run (a record field the run does not have), or null. */
  unusable: (string | null)[];
}

const num = (n: number): string => `(${String(n)})::DOUBLE`;
const list = (xs: readonly string[]): string => xs.map(literal).join(', ');
const many = <T>(x: T | readonly T[]): readonly T[] => (Array.isArray(x) ? x : [x as T]);

/** A value test on a VARCHAR expression; NULL never matches equals/in/pattern. */
export function valueTestSql(x: string, t: ValueTest): string {
  const parts: string[] = [];
  if (t.equals !== undefined) parts.push(`${x} = ${literal(t.equals)}`);
  if (t.in !== undefined) parts.push(`${x} IN (${list(t.in)})`);
  if (t.notIn !== undefined) parts.push(`(${x} IS NULL OR ${x} NOT IN (${list(t.notIn)}))`);
  if (t.pattern !== undefined) parts.push(`regexp_matches(${x}, ${literal(t.pattern)})`);
  if (t.empty !== undefined) parts.push(t.empty ? `${x} IS NULL` : `${x} IS NOT NULL`);
  return `coalesce(${parts.join(' AND ')}, false)`;
}

/** A number test on a DOUBLE expression; NULL (not a number) never matches. */
export function numberTestSql(x: string, t: NumberTest): string {
  const tol = num(t.tolerance ?? 0);
  const parts: string[] = [];
  if (t.min !== undefined) parts.push(`${x} >= ${num(t.min)}`);
  if (t.max !== undefined) parts.push(`${x} <= ${num(t.max)}`);
  if (t.absMin !== undefined) parts.push(`abs(${x}) >= ${num(t.absMin)}`);
  if (t.absMax !== undefined) parts.push(`abs(${x}) <= ${num(t.absMax)}`);
  if (t.equals !== undefined) parts.push(`abs(${x} - ${num(t.equals)}) <= ${tol}`);
  if (t.oneOf !== undefined) parts.push(`(${t.oneOf.map((v) => `abs(${x} - ${num(v)}) <= ${tol}`).join(' OR ')})`);
  if (t.multipleOf !== undefined) parts.push(`abs(${x} - round(${x} / ${num(t.multipleOf)}) * ${num(t.multipleOf)}) <= ${tol}`);
  return `coalesce(${x} IS NOT NULL AND ${parts.join(' AND ')}, false)`;
}

/** The record fields the rules name, per side, each with its column alias in the compiled relation. */
function recordAliases(rules: readonly CompilableRule[]): { a: Map<string, string>; b: Map<string, string> } {
  const a = new Map<string, string>();
  const b = new Map<string, string>();
  for (const r of rules) {
    for (const f of Object.keys(r.conditions.recordA ?? {})) if (!a.has(f)) a.set(f, `__ra${a.size}`);
    for (const f of Object.keys(r.conditions.recordB ?? {})) if (!b.has(f)) b.set(f, `__rb${b.size}`);
  }
  return { a, b };
}

/** One rule's conditions over the compiled relation's columns; null with the reason when it cannot hold in this run. */
function conditionSql(rule: CompilableRule, ctx: RuleSqlContext, alias: { a: Map<string, string>; b: Map<string, string> }): { sql: string } | { unusable: string } {
  const c = rule.conditions;
  const parts: string[] = [];
  if (c.field !== undefined) parts.push(`field IN (${list(many(c.field))})`);
  if (c.diffType !== undefined) parts.push(`diff_type IN (${list(many(c.diffType))})`);
  if (c.valueA) parts.push(valueTestSql('value_a', c.valueA));
  if (c.valueB) parts.push(valueTestSql('value_b', c.valueB));
  if (c.delta) parts.push(numberTestSql('__delta', c.delta));
  if (c.ratio) parts.push(numberTestSql('__ratio', c.ratio));
  if (c.dayShift) {
    const d = c.dayShift;
    const ds: string[] = ['__days IS NOT NULL'];
    if (d.equals !== undefined) ds.push(`__days = ${d.equals}`);
    if (d.min !== undefined) ds.push(`__days >= ${d.min}`);
    if (d.max !== undefined) ds.push(`__days <= ${d.max}`);
    if (d.absMax !== undefined) ds.push(`abs(__days) <= ${d.absMax}`);
    parts.push(`coalesce(${ds.join(' AND ')}, false)`);
  }
  for (const [side, tests, columns] of [
    ['A', c.recordA, ctx.columnsA],
    ['B', c.recordB, ctx.columnsB],
  ] as const) {
    for (const [field, test] of Object.entries(tests ?? {})) {
      if (!columns.has(field)) return { unusable: `side ${side}'s records have no field "${field}"` };
      parts.push(valueTestSql((side === 'A' ? alias.a : alias.b).get(field)!, test));
    }
  }
  if (c.history) {
    if (!ctx.history) return { unusable: 'this run has no break memory (no history to test)' };
    const h = c.history;
    if (h.lifecycle !== undefined) parts.push(`coalesce(__lifecycle IN (${list(many(h.lifecycle))}), false)`);
    if (h.minAgeRuns !== undefined) parts.push(`coalesce(__age_runs >= ${h.minAgeRuns}, false)`);
    if (h.previousReason !== undefined) parts.push(`coalesce(__prev_reason = ${literal(h.previousReason === SAME_REASON ? rule.reason : h.previousReason)}, false)`);
    if (h.previouslyDecided !== undefined) parts.push(`coalesce(__prev_decided, false) = ${h.previouslyDecided}`);
  }
  return { sql: parts.length === 0 ? 'true' : parts.join(' AND ') };
}

/**
 * Compiles the rules, in the order given (the first that matches wins), into
 * a SELECT of (break_id, idx).
 */
export function compileReasonRules(rules: readonly CompilableRule[], ctx: RuleSqlContext): CompiledRules {
  const alias = recordAliases(rules);
  const compiled = rules.map((r) => conditionSql(r, ctx, alias));
  const unusable = compiled.map((c) => ('unusable' in c ? c.unusable : null));
  const whens = compiled.flatMap((c, i) => ('sql' in c ? [`WHEN ${c.sql} THEN ${i}`] : []));
  if (whens.length === 0) return { select: null, unusable };
  const used = rules.filter((_, i) => unusable[i] === null);
  const needsHistory = used.some((r) => r.conditions.history !== undefined);
  // Only the record fields of usable rules are joined (a missing column would fail the statement).
  const colsA = [...alias.a].filter(([f]) => ctx.columnsA.has(f) && used.some((r) => r.conditions.recordA?.[f] !== undefined));
  const colsB = [...alias.b].filter(([f]) => ctx.columnsB.has(f) && used.some((r) => r.conditions.recordB?.[f] !== undefined));
  const select = [
    'x.break_id, x.field, x.diff_type, x.value_a, x.value_b',
    `CASE WHEN x.field_type <> 'date' THEN TRY_CAST(x.delta AS DOUBLE) END AS __delta`,
    `TRY_CAST(x.value_b AS DOUBLE) / nullif(TRY_CAST(x.value_a AS DOUBLE), 0) AS __ratio`,
    `CASE WHEN x.field_type = 'date' THEN TRY_CAST(x.delta AS BIGINT) END AS __days`,
    ...colsA.map(([f, a]) => `CAST(ra.${ident(f)} AS VARCHAR) AS ${a}`),
    ...colsB.map(([f, a]) => `CAST(rb.${ident(f)} AS VARCHAR) AS ${a}`),
    ...(needsHistory ? ['h.lifecycle AS __lifecycle', 'h.age_runs AS __age_runs', 'h.prev_reason AS __prev_reason', 'h.prev_decided AS __prev_decided'] : []),
  ];
  const from = [
    `${ctx.breaks ?? RUN_TABLES.breaks} x`,
    ...(colsA.length > 0 ? [`LEFT JOIN ${RUN_TABLES.a} ra ON ra.__rid = x.rid_a`] : []),
    ...(colsB.length > 0 ? [`LEFT JOIN ${RUN_TABLES.b} rb ON rb.__rid = x.rid_b`] : []),
    ...(needsHistory ? [`LEFT JOIN (${ctx.history}) h ON h.break_id = x.break_id`] : []),
  ];
  return {
    select: `SELECT break_id, idx FROM (SELECT break_id, CASE ${whens.join(' ')} END AS idx FROM (SELECT ${select.join(', ')} FROM ${from.join(' ')})) WHERE idx IS NOT NULL`,
    unusable,
  };
}
