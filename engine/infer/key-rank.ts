import type { DuckDBConnection } from '@duckdb/node-api';
import { queryOne } from '../duckdb/open.ts';
import { estimatedDuplicates, keySql, type KeyPart } from './key-candidates.ts';
import { looksLikeId } from './names.ts';
import type { NumberConvention } from './numbers.ts';
import type { Sampled } from './source.ts';

/**
 * Which of the tried keys to use. Overlap alone misleads: a column whose
 * values repeat (a security traded many times) is found in B more often than
 * a true trade id, because a record missing from B still shares its security
 * with another record of B. So, in this order: no duplicates beats
 * duplicates (fewer beats more), then clearly more overlap, then a name that
 * says "identifier" (…ID, …Ref, …No, Number), then overlap.
 */

/** Single-column candidates measured against B, best by sample overlap first. */
const MAX_TRIED = 3;
/** Id-like candidates measured besides them, so a real id ranked lower by overlap is still weighed. */
const MAX_ID_EXTRA = 2;
/** Below this share of the other's overlap, a candidate loses whatever its duplicates. */
const MIN_RELATIVE_OVERLAP = 0.5;
/** Overlaps within this share of each other count as equal: names decide between them. */
const OVERLAP_EQUAL = 0.8;

export interface MeasuredKey {
  parts: KeyPart[];
  /** Distinct sampled A keys, and how many of them are found in B. */
  keys: number;
  found: number;
  /** Estimated duplicate records in the whole of A, from the sample. */
  dupA: number;
  /** Duplicate records among B's records whose key matches a sampled A key. */
  dupB: number;
}

/** The pairs worth a scan of B: the best few by overlap, and a few more whose names say identifier. */
export function triedPairs(ranked: readonly { part: KeyPart; shared: number }[]): KeyPart[] {
  const top = ranked.slice(0, MAX_TRIED);
  const ids = ranked.slice(MAX_TRIED).filter((p) => p.shared > 0 && idScore(p.part) > 0).slice(0, MAX_ID_EXTRA);
  return [...top, ...ids].map((p) => p.part);
}

/** Duplicates of every tried key on both sides, in one statement. */
export async function measureDuplicates(
  conn: DuckDBConnection,
  scored: readonly { parts: KeyPart[]; keys: number; found: number }[],
  conv: { a: NumberConvention; b: NumberConvention },
  sa: Sampled,
): Promise<MeasuredKey[]> {
  const aggs = scored.flatMap((s, i) => {
    const [ka, kb] = [keySql(s.parts, 'a', conv.a), keySql(s.parts, 'b', conv.b)];
    return [
      `(SELECT count(*) - count(DISTINCT ${ka}) FROM infer_s_a WHERE ${ka} IS NOT NULL) AS a${i}`,
      `(SELECT count(*) - count(DISTINCT ${kb}) FROM infer_m_b WHERE ${kb} IN (SELECT ${ka} FROM infer_s_a)) AS b${i}`,
    ];
  });
  const row = await queryOne<Record<string, string>>(conn, `SELECT ${aggs.join(', ')}`);
  return scored.map((s, i) => ({ ...s, dupA: Math.round(estimatedDuplicates(Number(row[`a${i}`]), sa)), dupB: Number(row[`b${i}`]) }));
}

export const hasDuplicates = (k: MeasuredKey): boolean => k.dupA + k.dupB > 0;

const overlap = (k: MeasuredKey): number => (k.keys === 0 ? 0 : k.found / k.keys);
/** 0, 1 or 2: how many of the pair's names say identifier. */
const idScore = (parts: KeyPart | readonly KeyPart[]): number =>
  ([] as KeyPart[]).concat(parts).reduce((n, p) => n + (looksLikeId(p.a.name) ? 1 : 0) + (looksLikeId(p.b.name) ? 1 : 0), 0) / ([] as KeyPart[]).concat(parts).length;

/** True when `x` holds every part of `y` and more. */
const extends_ = (x: MeasuredKey, y: MeasuredKey): boolean =>
  x.parts.length > y.parts.length && y.parts.every((p) => x.parts.some((q) => q.a.index === p.a.index && q.b.index === p.b.index));

/** True when `x` is the better key of the two. */
export function betterKey(x: MeasuredKey, y: MeasuredKey): boolean {
  return compareKeys(x, y) < 0;
}

function compareKeys(x: MeasuredKey, y: MeasuredKey): number {
  const [ox, oy] = [overlap(x), overlap(y)];
  // A pair whose values B hardly holds is no key at all, however unique (TradeID against ISIN).
  if (Math.min(ox, oy) < MIN_RELATIVE_OVERLAP * Math.max(ox, oy)) return oy - ox;
  if (hasDuplicates(x) !== hasDuplicates(y)) return hasDuplicates(x) ? 1 : -1;
  const [dx, dy] = [x.dupA + x.dupB, y.dupA + y.dupB];
  // A key that is another plus a part, with fewer duplicates, tells apart records the other confuses (msisdn + start against msisdn).
  if (extends_(x, y) && dx < dy) return -1;
  if (extends_(y, x) && dy < dx) return 1;
  // Duplicates of the same order are a tie: a few chance ones do not outweigh the other evidence.
  if (Math.min(dx, dy) < 0.5 * Math.max(dx, dy)) return dx - dy;
  if (Math.min(ox, oy) < OVERLAP_EQUAL * Math.max(ox, oy)) return oy - ox;
  const ids = idScore(y.parts) - idScore(x.parts);
  return ids !== 0 ? ids : oy - ox;
}

/** The duplicates in words, as counted. */
export function duplicateWords(k: MeasuredKey): string {
  const sides = [k.dupA > 0 ? `about ${k.dupA.toLocaleString('en-US')} in A` : '', k.dupB > 0 ? `${k.dupB.toLocaleString('en-US')} among matched B records` : ''].filter((s) => s !== '');
  const total = k.dupA + k.dupB;
  return `not unique: ${total.toLocaleString('en-US')} duplicate key${total === 1 ? '' : 's'} (${sides.join(', ')})`;
}

/** Why a tried key lost to the chosen one. */
export function whyNot(k: MeasuredKey, best: MeasuredKey): string {
  if (hasDuplicates(k) && (!hasDuplicates(best) || k.dupA + k.dupB > best.dupA + best.dupB)) return duplicateWords(k);
  if (overlap(k) < overlap(best)) return 'fewer sampled A keys found in B';
  if (idScore(k.parts) < idScore(best.parts)) return 'as good on the data, but its names do not say identifier';
  return 'no better on duplicates, overlap or names';
}
