import { queryRows } from '../../duckdb/open.ts';
import { runMatching, type MatchingResult } from '../run-matching.ts';
import { cashDefinition, csv, LEDGER_HEADER, STATEMENT_HEADER } from './cash-fixture.ts';
import { stagePair } from './stage-pair.ts';

/** One matched group as the tests compare it: ids per side in order. */
export interface CaseGroup {
  match_id: string;
  rule: string;
  match_type: string;
  a: string[];
  b: string[];
  score: number;
  sum_a: string | null;
  sum_b: string | null;
  difference: string | null;
}

export interface CaseBreak {
  key: string;
  field: string;
  diff_type: string;
  side: string | null;
  value_a: string | null;
  value_b: string | null;
  delta: string | null;
  field_type: string | null;
  rid_a: string | null;
  rid_b: string | null;
}

export interface CaseOutcome {
  result: MatchingResult;
  groups: CaseGroup[];
  breaks: CaseBreak[];
  candidates: { side: string; id: string; rule: string; candidate_id: string; score: number; why: string }[];
  /** Per side: every staged row (the file's records) and the rejected ones. */
  rows: { a: number; b: number };
  rejected: { a: number; b: number };
}

/** Stages ledger rows against statement rows (cash-fixture.ts), runs matching with `rules`, reads every output back. */
export async function runCase(
  ledger: readonly string[],
  statement: readonly string[],
  rules: Parameters<typeof cashDefinition>[0],
  extra: Record<string, unknown> = {},
): Promise<CaseOutcome> {
  const p = await stagePair(csv(LEDGER_HEADER, ledger), csv(STATEMENT_HEADER, statement), cashDefinition(rules, extra));
  try {
    const result = await runMatching(p.conn, p.plan);
    const groups = await queryRows<CaseGroup>(
      p.conn,
      `SELECT g.match_id, g.rule, g.match_type, list(m.id ORDER BY m.id) FILTER (WHERE m.side = 'a') AS a,
              list(m.id ORDER BY m.id) FILTER (WHERE m.side = 'b') AS b, g.score, CAST(g.sum_a AS VARCHAR) AS sum_a, CAST(g.sum_b AS VARCHAR) AS sum_b,
              CAST(g.difference AS VARCHAR) AS difference
         FROM match_groups g JOIN matches m USING (match_id)
        GROUP BY ALL ORDER BY g.match_id`,
    );
    const breaks = await queryRows<CaseBreak>(p.conn, 'SELECT * EXCLUDE (break_id) FROM breaks ORDER BY break_id');
    const candidates = await queryRows<CaseOutcome['candidates'][number]>(
      p.conn,
      'SELECT side, id, rule, candidate_id, score, why FROM match_candidates ORDER BY side, id, candidate_id',
    );
    const [counts] = await queryRows<Record<string, string>>(
      p.conn,
      `SELECT (SELECT count(*) FROM a) AS rows_a, (SELECT count(*) FROM b) AS rows_b,
              (SELECT count(*) FROM a WHERE __bad) AS bad_a, (SELECT count(*) FROM b WHERE __bad) AS bad_b`,
    );
    const n = (k: string): number => Number(counts![k]);
    return {
      rows: { a: n('rows_a'), b: n('rows_b') },
      rejected: { a: n('bad_a'), b: n('bad_b') },
      result,
      groups: groups.map((g) => ({ ...g, a: g.a ?? [], b: g.b ?? [] })), breaks, candidates };
  } finally {
    await p.dispose();
  }
}

/** "L1+L2=S1" per group, for compact assertions. */
export function pairsOf(groups: readonly CaseGroup[]): string[] {
  return groups.map((g) => `${g.a.join('+')}=${g.b.join('+')}`);
}
