import type { DuckDBConnection } from '@duckdb/node-api';
import { RUN_TABLES } from '../run-file/schema.ts';
import { MatchColumns } from './columns.ts';
import { matchGroups } from './group-search.ts';
import { matchContext, settleAmbiguous, STATE_DDL } from './match-context.ts';
import { matchManyToMany } from './many-to-many.ts';
import { matchOneToOne } from './one-to-one.ts';
import type { MatchPlan } from './plan.ts';
import { readResult, type MatchingResult } from './read-result.ts';
import { writeResults } from './write-results.ts';

export type { MatchingResult } from './read-result.ts';

/**
 * Matching without a shared key (issue 16), all in DuckDB SQL over the staged
 * views `a` and `b` and the table `dup_keys`: the plan's rules run in order,
 * each on the rows no earlier rule matched or found ambiguous; then the run
 * file's `matches`, `match_groups`, `match_candidates` and `breaks` are
 * written (write-results.ts). engine/match/README.md states the semantics.
 *
 * Rows offered: loaded, not rejected (`__bad`), and with an id that occurs
 * once on their side (`dup_keys` of that side; A's and B's ids are separate
 * namespaces here, unlike the keyed diff). No JavaScript loop over rows or
 * pairs: the loops below are over rules and a bounded number of rounds.
 */
export interface MatchingOptions {
  /** Per rule: its name and how far it is (0 at its start, 1 at its end). */
  onProgress?: (rule: string, fraction: number) => void;
  signal?: AbortSignal;
}

const TEMP_TABLES = [
  'm_rows_a', 'm_rows_b', 'm_state', 'm_members', 'm_cands', 'm_free_a', 'm_free_b', 'm_pairs', 'm_ranked', 'm_take', 'm_stuck', 'm_tied', 'm_amb',
  'm_gcand', 'm_subsets', 'm_submem', 'm_gbest', 'm_gtop', 'm_gtied', 'm_nedge', 'm_crows', 'm_nsub', 'm_ncand', 'm_clusters', 'm_settled', 'm_rules', 'm_ids', 'm_mem', 'm_gsum',
];

export async function runMatching(conn: DuckDBConnection, plan: MatchPlan, opts: MatchingOptions = {}): Promise<MatchingResult> {
  const cols = new MatchColumns(plan);
  const ctx = matchContext(conn, cols, opts.signal);
  for (const ddl of STATE_DDL) await ctx.run(ddl);
  await ctx.run(cols.workingSetSql('a', RUN_TABLES.dupKeys));
  await ctx.run(cols.workingSetSql('b', RUN_TABLES.dupKeys));
  for (const rule of plan.rules) {
    const progress = (fraction: number): void => opts.onProgress?.(rule.name, fraction);
    progress(0);
    if (rule.type === '1:1') await matchOneToOne(ctx, rule, progress);
    else if (rule.type === 'N:M') await matchManyToMany(ctx, rule, plan.maxGroupCandidates, progress);
    else await matchGroups(ctx, rule, plan.maxGroupCandidates, progress);
    progress(1);
  }
  await settleAmbiguous(ctx);
  await writeResults(ctx, plan);
  const result = await readResult(ctx, plan);
  // Scratch only (TEMP, gone with the connection anyway): the run file keeps the four result tables.
  for (const t of TEMP_TABLES) await ctx.run(`DROP TABLE IF EXISTS ${t}`);
  return result;
}
