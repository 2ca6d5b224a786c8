/**
 * matching.candidates: for one unmatched row, the rows of the other side that
 * could be its match, best first, each with why. An AMBIGUOUS row's recorded
 * candidates (the run's `match_candidates`, with the rule they tied under)
 * come first; then looser suggestions among the other side's unmatched rows
 * now, found by blocking in SQL, never by scanning pairs: the same values of
 * the rules' equal fields (currency-like), the amount equal or within 10%,
 * the date within ±10 days; scored like engine/match scores a pair (the mean
 * of amount, date and name closeness) and explained ("amount equal; date +2
 * days; counterparty 0.91").
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { MatchCandidate } from '../../contract/index.ts';
import { queryRows } from '../../duckdb/open.ts';
import { ReconError } from '../../errors/recon-error.ts';
import { LEGAL_FORM_WORDS } from '../../match/columns.ts';
import { ident, literal } from '../../sql/quote.ts';
import type { RunFile } from '../run-file.ts';
import { RUN_TABLES } from '../schema.ts';
import type { MatchingLayout, ViewField } from './layout.ts';
import { NOW_TABLES } from './now.ts';
import { amountSql, dateSql, ID_SQL, readRowsByRid, type Side } from './row-sql.ts';

/** How loose a suggestion may be: the amount within this share of the larger amount, the date within this many days. */
export const SUGGESTION_AMOUNT_SHARE = '0.10';
export const SUGGESTION_DAYS = 10;

interface Scored {
  rid: number;
  score: number;
  why: string;
  rule: string | null;
}

export async function candidatesFor(db: RunFile, layout: MatchingLayout, args: { side: Side; rid: number; limit: number }): Promise<MatchCandidate[]> {
  const other: Side = args.side === 'a' ? 'b' : 'a';
  return db.run(async (c) => {
    const exists = await queryRows(c, `SELECT 1 AS x FROM ${args.side} WHERE __rid = $1 AND NOT __bad`, [args.rid]);
    if (exists.length === 0) throw new ReconError('NOT_FOUND', `run ${db.runId} has no loaded row ${args.rid} on side ${args.side.toUpperCase()}`, { runId: db.runId, ...args });
    const recorded = await recordedCandidates(c, args, other);
    const room = args.limit - recorded.length;
    const suggested = room > 0 ? await suggestions(c, layout, args, other, recorded.map((r) => r.rid), room) : [];
    const picked = [...recorded, ...suggested].slice(0, args.limit);
    const rows = await readRowsByRid(
      c,
      layout,
      other,
      picked.map((p) => p.rid),
    );
    return picked.flatMap((p): MatchCandidate[] => {
      const row = rows.get(p.rid);
      return row ? [{ ...row, score: p.score, why: p.why, rule: p.rule }] : [];
    });
  });
}

/** The candidates the run recorded for an AMBIGUOUS row, still unmatched now. */
async function recordedCandidates(c: DuckDBConnection, args: { side: Side; rid: number; limit: number }, other: Side): Promise<Scored[]> {
  const rows = await queryRows<{ rid: string; score: number; why: string | null; rule: string | null }>(
    c,
    `SELECT m.candidate_rid AS rid, m.score, m.why, m.rule
       FROM ${RUN_TABLES.matchCandidates} m
       JOIN ${NOW_TABLES.unmatched} u ON u.side = m.candidate_side AND u.rid = m.candidate_rid
      WHERE m.side = $1 AND m.rid = $2 AND m.candidate_side = $3
      ORDER BY m.score DESC, m.candidate_id LIMIT ${Math.trunc(args.limit)}`,
    [args.side, args.rid, other],
  );
  return rows.map((r) => ({ rid: Number(r.rid), score: Number(r.score), why: r.why ?? '', rule: r.rule }));
}

/** A name as the `similar` condition compares it (engine/match/columns.ts): upper case, letters and digits, legal forms dropped. */
function nameSql(x: string): string {
  return `trim(regexp_replace(regexp_replace(regexp_replace(upper(strip_accents(CAST(${x} AS VARCHAR))), '[^A-Z0-9]+', ' ', 'g'),
            '\\b(${LEGAL_FORM_WORDS.join('|')})\\b', '', 'g'), ' +', ' ', 'g'))`;
}

/** Looser suggestions among the other side's unmatched rows now, blocked and scored in SQL. */
async function suggestions(c: DuckDBConnection, layout: MatchingLayout, args: { side: Side; rid: number }, other: Side, exclude: readonly number[], limit: number): Promise<Scored[]> {
  const col = (f: ViewField, i: number, prefix: string): string => `${ident(f.name)} AS ${prefix}${i}`;
  const pick = (s: Side): string =>
    [
      '__rid AS rid',
      `${ID_SQL} AS id`,
      `${amountSql(layout)} AS amt`,
      `${dateSql(layout)} AS d`,
      ...layout.equalFields.map((f, i) => col(f, i, 'e')),
      ...layout.nameFields.map((f, i) => `${nameSql(ident(f.name))} AS n${i}`),
    ].join(', ') + ` FROM ${s} WHERE NOT __bad`;
  const conditions = [
    ...layout.equalFields.map((_, i) => `o.e${i} IS NOT DISTINCT FROM s.e${i}`),
    `NOT list_contains(from_json($2::JSON, '["BIGINT"]'), o.rid)`,
  ];
  const closeness: string[] = [];
  const why: string[] = [];
  if (layout.amount) {
    const tol = `(${SUGGESTION_AMOUNT_SHARE} * greatest(abs(o.amt), abs(s.amt)))`;
    conditions.push(`(o.amt = s.amt OR abs(o.amt - s.amt) <= ${tol})`);
    closeness.push(`CASE WHEN o.amt = s.amt THEN 1.0 ELSE 1.0 - 0.5 * CAST(abs(o.amt - s.amt) AS DOUBLE) / CAST(${tol} AS DOUBLE) END`);
    why.push(`CASE WHEN o.amt = s.amt THEN 'amount equal' ELSE 'amount ' || CASE WHEN o.amt > s.amt THEN '+' ELSE '' END || CAST(o.amt - s.amt AS VARCHAR) END`);
  }
  if (layout.date) {
    const days = `date_diff('day', s.d, o.d)`;
    conditions.push(`abs(${days}) <= ${SUGGESTION_DAYS}`);
    closeness.push(`1.0 - abs(${days}) / ${SUGGESTION_DAYS + 1}.0`);
    why.push(`CASE WHEN ${days} = 0 THEN 'same date' ELSE 'date ' || CASE WHEN ${days} > 0 THEN '+' ELSE '' END || CAST(${days} AS VARCHAR) || CASE WHEN abs(${days}) = 1 THEN ' day' ELSE ' days' END END`);
  }
  layout.nameFields.forEach((f, i) => {
    const sim = `coalesce(jaro_winkler_similarity(o.n${i}, s.n${i}), 0)`;
    closeness.push(sim);
    why.push(`${literal(`${f.name} `)} || printf('%.2f', ${sim})`);
  });
  const score = closeness.length === 0 ? '0.0' : `round((${closeness.join(' + ')}) / ${closeness.length}, 6)`;
  const rows = await queryRows<{ rid: string; score: number; why: string }>(
    c,
    `WITH s AS (SELECT ${pick(args.side)} AND __rid = $1),
          o AS (SELECT ${pick(other)} AND __rid IN (SELECT rid FROM ${NOW_TABLES.unmatched} WHERE side = ${literal(other)}))
     SELECT o.rid, ${score} AS score, concat_ws('; ', ${why.length === 0 ? "''" : why.join(', ')}) AS why
       FROM o, s
      WHERE ${conditions.join(' AND ')}
      ORDER BY score DESC, o.id LIMIT ${Math.trunc(limit)}`,
    [args.rid, JSON.stringify(exclude)],
  );
  return rows.map((r) => ({ rid: Number(r.rid), score: Number(r.score), why: r.why, rule: null }));
}
