import type { MatchColumns } from './columns.ts';
import { dateBucketSql, dateWindow } from './condition-sql.ts';
import type { PlannedRule } from './plan.ts';

/**
 * How a group rule (1:N, N:1, N:M) finds the rows of the other side within
 * a row's date window, and with a name like its own, without comparing every
 * pair: the columns both sides' `m_free_*` tables add, the key a probing row
 * unnests and the column of the other side it meets.
 *
 * - Date: a window of up to EXACT_DAY_JOIN_MAX days joins on exact day
 *   numbers (the probing row unnests the 2w + 1 days of its window); a wider
 *   one on buckets of w + 1 days and their neighbours (3 rows), then the
 *   exact test.
 * - Name: with a `similar` condition, both rows' normalized names (its first
 *   `similar` condition's field) begin with the same NAME_KEY_LENGTH
 *   characters. The similarity itself is then tested exactly; a name
 *   misspelt within its first three characters is not found (Jaro-Winkler
 *   weighs the start most, and statement names are cut at the end, not the
 *   start).
 */
export const EXACT_DAY_JOIN_MAX = 15;
export const NAME_KEY_LENGTH = 3;

export interface GroupBlocking {
  /** Columns both sides' free-row tables add (over the alias `r`). */
  extra: string[];
  /** The probing row's join keys (an unnest, or a column). */
  probeKey: string;
  /** The other side's column the keys meet. */
  targetKey: string;
  /** Join conditions beyond the key, between the probing row `p` and the other `o`. */
  on: (p: string, o: string) => string[];
}

export function groupBlocking(rule: PlannedRule, cols: MatchColumns): GroupBlocking {
  const day = cols.dayNumber(rule);
  const w = dateWindow(rule);
  const byDay = w <= EXACT_DAY_JOIN_MAX;
  const bucket = dateBucketSql(rule, `r.${day}`);
  const extra = byDay ? [] : [`${bucket.sql} AS __db`];
  const name = rule.similar[0] ? cols.name(rule.similar[0].field) : undefined;
  if (name) extra.push(`left(r.${name}, ${NAME_KEY_LENGTH}) AS __nk`);
  return {
    extra,
    probeKey: byDay ? `unnest(range(${day} - ${w}, ${day} + ${w + 1}))` : bucket.neighbours ? 'unnest([__db - 1, __db, __db + 1])' : '__db',
    targetKey: byDay ? day : '__db',
    on: (p, o) => (name ? [`${o}.__nk = ${p}.__nk`] : []),
  };
}
