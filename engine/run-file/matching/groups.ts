/**
 * matching.groups and matching.groupRows: the matched groups now (now.ts),
 * filtered and paged in SQL, and one group's rows of both sides.
 */
import type { MatchFilter, MatchGroup, MatchRow } from '../../contract/index.ts';
import { queryOne, queryRows } from '../../duckdb/open.ts';
import { ReconError } from '../../errors/recon-error.ts';
import { Params } from '../grid/sql.ts';
import type { RunFile } from '../run-file.ts';
import type { MatchingLayout } from './layout.ts';
import { matchFilterSql, pageBounds } from './filter-sql.ts';
import { NOW_TABLES } from './now.ts';
import { readRowsByRid, type Side } from './row-sql.ts';

interface GroupRow {
  match_id: string;
  rule: string | null;
  match_type: MatchGroup['matchType'];
  rows_a: number;
  rows_b: number;
  sum_a: string | null;
  sum_b: string | null;
  difference: string | null;
  score: number | null;
  state: MatchGroup['state'];
  date: string | null;
  label: string | null;
}

const COLUMNS = 'match_id, rule, match_type, rows_a, rows_b, sum_a, sum_b, difference, score, state, CAST(date AS VARCHAR) AS date, label';

function toGroup(r: GroupRow, hasAmount: boolean): MatchGroup {
  return {
    matchId: r.match_id,
    rule: r.rule,
    matchType: r.match_type,
    rowsA: Number(r.rows_a),
    rowsB: Number(r.rows_b),
    sumA: hasAmount ? r.sum_a : null,
    sumB: hasAmount ? r.sum_b : null,
    difference: hasAmount ? r.difference : null,
    score: r.score === null ? null : Number(r.score),
    state: r.state,
    date: r.date,
    label: r.label,
  };
}

export async function readGroups(db: RunFile, layout: MatchingLayout, args: { filter: MatchFilter; offset: number; limit: number }): Promise<{ total: number; groups: MatchGroup[] }> {
  const params = new Params();
  const where = matchFilterSql(args.filter, params);
  return db.run(async (c) => {
    const { n } = await queryOne<{ n: string }>(c, `SELECT count(*) AS n FROM ${NOW_TABLES.groups} WHERE ${where}`, params.values);
    const rows = await queryRows<GroupRow>(c, `SELECT ${COLUMNS} FROM ${NOW_TABLES.groups} WHERE ${where} ORDER BY list_order, match_id LIMIT ${pageBounds(args)}`, params.values);
    return { total: Number(n), groups: rows.map((r) => toGroup(r, layout.amount !== undefined)) };
  });
}

export async function readGroupRows(db: RunFile, layout: MatchingLayout, matchId: string): Promise<{ group: MatchGroup; rows: MatchRow[] }> {
  return db.run(async (c) => {
    const [group] = await queryRows<GroupRow>(c, `SELECT ${COLUMNS} FROM ${NOW_TABLES.groups} WHERE match_id = $1`, [matchId]);
    if (!group) throw new ReconError('NOT_FOUND', `run ${db.runId} has no match ${matchId} now (never made, or undone)`, { runId: db.runId, matchId });
    const members = await queryRows<{ side: Side; rid: string }>(c, `SELECT side, rid FROM ${NOW_TABLES.rows} WHERE match_id = $1 ORDER BY side, rid`, [matchId]);
    const ridsOf = (s: Side): number[] => members.filter((m) => m.side === s).map((m) => Number(m.rid));
    const a = await readRowsByRid(c, layout, 'a', ridsOf('a'));
    const b = await readRowsByRid(c, layout, 'b', ridsOf('b'));
    const rows = members.map((m) => (m.side === 'a' ? a : b).get(Number(m.rid))).filter((r): r is MatchRow => r !== undefined);
    return { group: toGroup(group, layout.amount !== undefined), rows };
  });
}
