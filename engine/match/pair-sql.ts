import { ReconError } from '../errors/recon-error.ts';
import { literal } from '../sql/quote.ts';
import type { MatchColumns, Side } from './columns.ts';
import {
  amountBucketSql,
  amountClosenessSql,
  amountWithinSql,
  dateBucketSql,
  dateClosenessSql,
  dateWindow,
  equalSql,
  nameSimilaritySql,
  referenceClosenessSql,
  referenceCutImpossibleSql,
  referenceDigitRunsSql,
  referenceFoundSql,
  referenceTailDigitsSql,
  referencePrefixSql,
  scoreSql,
  signedText,
} from './condition-sql.ts';
import type { PlannedRule } from './plan.ts';

/**
 * The candidate pairs of a 1:1 rule, in SQL: `m_pairs(rid_a, rid_b, amt_d,
 * day_d, ref_found, ref_len, sim0…, score)`, every pair meeting all of the
 * rule's conditions, found by blocking, never by comparing every pair:
 *   - with an amount or date condition: a hash join on the equal fields, the
 *     amount's key and the date's bucket, A's keys expanded to their
 *     neighbours by an unnest (so 3 or 9 rows per A row), then the exact
 *     tests (a reference's first minLength characters in the text before
 *     the costlier search for its longest part);
 *   - otherwise (a reference rule): the free text's k-grams (k = minLength)
 *     joined to the reference's first k characters, then the exact test.
 */

/**
 * The columns a 1:1 rule adds to `m_free_<side>`: blocking keys, and for a reference condition
 * the per-row values of referenceCutImpossibleSql (`__truns` on the text's side, `__rdig` on the
 * reference's).
 */
export function pairBlockingColumns(rule: PlannedRule, cols: MatchColumns, side: Side): string[] {
  const extra: string[] = [];
  if (rule.reference) {
    const col = `r.${cols.reference(rule.reference.field)}`;
    extra.push(side === rule.reference.textOn ? `${referenceDigitRunsSql(col)} AS __truns` : `${referenceTailDigitsSql(col, rule.reference.minLength)} AS __rdig`);
  }
  const amount = rule.amount ? amountBucketSql(rule, `r.${cols.value(rule.amount.field)}`) : undefined;
  if (amount) extra.push(`${amount.sql} AS __ab`);
  if (rule.date) extra.push(`${dateBucketSql(rule, `r.${cols.dayNumber(rule)}`).sql} AS __db`);
  if (amount === undefined && !rule.date && !rule.reference) {
    throw new ReconError(
      'DEFINITION_INVALID',
      `matching rule "${rule.name}": a relative amount tolerance of 1 or more cannot narrow candidates; add a date or reference condition`,
    );
  }
  return extra;
}

export function pairsSql(rule: PlannedRule, cols: MatchColumns): string {
  const amountKey = rule.amount ? amountBucketSql(rule, 'v') : undefined;
  const keyed = amountKey !== undefined || rule.date !== undefined;
  const tests: string[] = [];
  const comps: string[] = [];
  const closeness: string[] = [];
  const outerTests: string[] = [];

  if (rule.amount) {
    const x = `x.${cols.value(rule.amount.field)}`;
    const y = `y.${cols.value(rule.amount.field)}`;
    tests.push(amountWithinSql(rule, x, y));
    comps.push(`${y} - ${x} AS amt_d`, `${amountClosenessSql(rule, x, y)} AS amt_c`);
    closeness.push('amt_c');
  }
  if (rule.date) {
    const d = cols.dayNumber(rule);
    tests.push(`abs(y.${d} - x.${d}) <= ${dateWindow(rule)}`);
    comps.push(`y.${d} - x.${d} AS day_d`);
    closeness.push(dateClosenessSql(rule, 'day_d'));
  }
  if (rule.reference) {
    const col = cols.reference(rule.reference.field);
    const [ta, ra] = rule.reference.textOn === 'b' ? ['y', 'x'] : ['x', 'y'];
    const [t, r] = [`${ta}.${col}`, `${ra}.${col}`];
    const k = rule.reference.minLength;
    tests.push(referencePrefixSql(t, r, k));
    comps.push(`${referenceFoundSql(t, r, k, referenceCutImpossibleSql(`${ta}.__truns`, `${ra}.__rdig`, r, k))} AS ref_found`, `length(${r}) AS ref_len`);
    outerTests.push(`ref_found >= ${rule.reference.minLength}`);
    closeness.push(referenceClosenessSql('ref_found', 'ref_len'));
  }
  for (const [j, s] of rule.similar.entries()) {
    const col = cols.name(s.field);
    comps.push(`${nameSimilaritySql(`x.${col}`, `y.${col}`)} AS sim${j}`);
    outerTests.push(`sim${j} >= ${s.min}`);
    closeness.push(`sim${j}`);
  }

  let source: string;
  if (keyed) {
    let left = 'SELECT * FROM m_free_a';
    const on = [...equalSql(rule, cols, 'x', 'y')];
    if (amountKey) {
      left = amountKey.neighbours ? `SELECT *, unnest([__ab - 1, __ab, __ab + 1]) AS __abn FROM (${left})` : `SELECT *, __ab AS __abn FROM (${left})`;
      on.push('x.__abn = y.__ab');
    }
    if (rule.date) {
      left = dateBucketSql(rule, 'v').neighbours ? `SELECT *, unnest([__db - 1, __db, __db + 1]) AS __dbn FROM (${left})` : `SELECT *, __db AS __dbn FROM (${left})`;
      on.push('x.__dbn = y.__db');
    }
    source = `(${left}) x JOIN m_free_b y ON ${on.join(' AND ')}`;
  } else {
    const ref = rule.reference!;
    const k = ref.minLength;
    const col = cols.reference(ref.field);
    const [t, r] = ref.textOn === 'b' ? ['b', 'a'] : ['a', 'b'];
    // A text's k-grams meet the references starting with them; DISTINCT: a text may hold the gram twice.
    const pairs = `SELECT DISTINCT g.rid AS rid_${t}, s.rid AS rid_${r}
                     FROM (SELECT rid, substr(${col}, i, ${k}) AS gram
                             FROM (SELECT rid, ${col}, unnest(range(1, length(${col}) - ${k - 2})) AS i FROM m_free_${t} WHERE length(${col}) >= ${k})) g
                     JOIN (SELECT rid, substr(${col}, 1, ${k}) AS gram FROM m_free_${r} WHERE length(${col}) >= ${k}) s ON s.gram = g.gram`;
    source = `(${pairs}) p JOIN m_free_a x ON x.rid = p.rid_a JOIN m_free_b y ON y.rid = p.rid_b`;
    tests.push(...equalSql(rule, cols, 'x', 'y'));
  }

  return `CREATE OR REPLACE TEMP TABLE m_pairs AS
          SELECT *, ${scoreSql(rule, closeness)} AS score
            FROM (SELECT x.rid AS rid_a, y.rid AS rid_b${comps.length > 0 ? `, ${comps.join(', ')}` : ''}
                    FROM ${source}
                   ${tests.length > 0 ? `WHERE ${tests.join(' AND ')}` : ''})
           ${outerTests.length > 0 ? `WHERE ${outerTests.join(' AND ')}` : ''}`;
}

/** "amount equal; date +1 day; reference found; name 0.93" from a pair's columns. */
export function pairWhySql(rule: PlannedRule): string {
  const parts: string[] = [];
  if (rule.amount) {
    const name = literal(rule.amount.field.name);
    parts.push(`${name} || CASE WHEN amt_d = 0 THEN ' equal' ELSE ' ' || ${signedText('amt_d')} END`);
  }
  if (rule.date) {
    const unit = rule.date.businessDays !== undefined ? 'business day' : 'day';
    parts.push(
      `${literal(rule.date.field.name)} || CASE WHEN day_d = 0 THEN ' same day' ELSE ' ' || ${signedText('day_d')} || ' ${unit}' || CASE WHEN abs(day_d) > 1 THEN 's' ELSE '' END END`,
    );
  }
  if (rule.reference) {
    parts.push(`${literal(rule.reference.field.name)} || CASE WHEN ref_found = ref_len THEN ' found' ELSE ' ' || ref_found || ' of ' || ref_len || ' characters found' END`);
  }
  for (const [j, s] of rule.similar.entries()) parts.push(`${literal(s.field.name)} || ' ' || printf('%.2f', sim${j})`);
  return parts.length > 0 ? `concat_ws('; ', ${parts.join(', ')})` : `'equal'`;
}
