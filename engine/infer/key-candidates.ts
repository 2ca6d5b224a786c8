import type { DuckDBConnection } from '@duckdb/node-api';
import { queryOne } from '../duckdb/open.ts';
import { keyTextSql } from './canon.ts';
import { kindOf, type TypedColumn } from './column-types.ts';
import { looksLikeId, nameSimilarity } from './names.ts';
import type { NumberConvention } from './numbers.ts';
import { containment, type OverlapMatrix } from './overlap.ts';
import type { Sampled } from './source.ts';

/**
 * Which columns could identify a record. A key is never NULL and (nearly)
 * unique; a reservoir sample hides duplicates (both copies of a key are in a
 * 2% sample with probability 0.04%), so the duplicates seen in the sample are
 * scaled up by 1/f² before comparing with the allowed rate.
 */

/** Highest estimated share of duplicated rows a key may have (the diff reports them as DUPLICATE_KEY). */
const MAX_DUP_RATE = 0.01;

/** One key part: an A column and the B column it matches. */
export interface KeyPart {
  a: TypedColumn;
  b: TypedColumn;
}

/** Estimated duplicated rows in the whole file, from `extra` duplicate rows in the sample. */
export function estimatedDuplicates(extra: number, s: Sampled): number {
  return s.fraction >= 1 ? extra : extra / (s.fraction * s.fraction);
}

/** True when `extra` duplicates in the sample fit a key (a couple of chance duplicates are tolerated). */
export function uniqueEnough(extra: number, s: Sampled): boolean {
  if (s.fraction >= 1) return extra <= MAX_DUP_RATE * s.sampled;
  return extra <= 2 || estimatedDuplicates(extra, s) <= MAX_DUP_RATE * s.rows;
}

/** Columns that can be a key on their own: text or whole numbers, never empty, unique enough. */
export function singleCandidates(cols: readonly TypedColumn[], s: Sampled): TypedColumn[] {
  return cols.filter(
    (c) => (c.type === 'string' || c.type === 'integer') && c.n === c.rows && c.nullTokenCount === 0 && c.n > 0 && uniqueEnough(c.n - c.distinct, s),
  );
}

/** Candidate A–B key pairs (of `a` × `b`, or of the given pairs), best first: most shared sample values, then names. */
export function rankPairs(
  a: readonly TypedColumn[],
  b: readonly TypedColumn[],
  m: OverlapMatrix,
  only?: readonly { x: TypedColumn; y: TypedColumn }[],
): { part: KeyPart; shared: number; name: number }[] {
  const out: { part: KeyPart; shared: number; name: number }[] = [];
  for (const { x, y } of only ?? a.flatMap((x) => b.map((y) => ({ x, y })))) {
    if (kindOf(x) !== kindOf(y)) continue;
    out.push({ part: { a: x, b: y }, shared: m.shared[x.index]![y.index] ?? 0, name: nameSimilarity(x.name, y.name) });
  }
  const idBonus = (p: KeyPart): number => (looksLikeId(p.a.name) ? 0.1 : 0) + (looksLikeId(p.b.name) ? 0.1 : 0);
  return out.sort((p, q) => q.shared - p.shared || q.name + idBonus(q.part) - (p.name + idBonus(p.part)));
}

/**
 * A first, rough A→B column mapping from the independent samples (shared
 * vocabulary and names), enough to find the parts of a composite key before
 * any record is matched.
 */
export function roughMapping(
  a: readonly TypedColumn[],
  b: readonly TypedColumn[],
  m: OverlapMatrix,
  only?: readonly { x: TypedColumn; y: TypedColumn }[],
): KeyPart[] {
  const scored: { part: KeyPart; score: number }[] = [];
  // B columns each A column is measured against: all of B, or its shortlisted partners.
  const partners = new Map<number, TypedColumn[]>();
  if (only) for (const { x, y } of only) partners.set(x.index, [...(partners.get(x.index) ?? []), y]);
  for (const x of a) {
    const bs = only ? (partners.get(x.index) ?? []) : b;
    const best = Math.max(0, ...bs.map((y) => containment(m, x.index, y.index)));
    for (const y of bs) {
      if (kindOf(x) !== kindOf(y) || x.type === 'empty' || y.type === 'empty') continue;
      const c = containment(m, x.index, y.index);
      const values = best > 0 && (m.shared[x.index]![y.index] ?? 0) >= 2 ? c / best : 0;
      scored.push({ part: { a: x, b: y }, score: 0.6 * values + 0.4 * nameSimilarity(x.name, y.name) });
    }
  }
  scored.sort((p, q) => q.score - p.score);
  const usedA = new Set<number>();
  const usedB = new Set<number>();
  const out: KeyPart[] = [];
  for (const s of scored) {
    if (s.score < 0.4 || usedA.has(s.part.a.index) || usedB.has(s.part.b.index)) continue;
    usedA.add(s.part.a.index);
    usedB.add(s.part.b.index);
    out.push(s.part);
  }
  return out;
}

/** SQL of a (composite) key as one text value: canonical parts joined by U+001F. */
export function keySql(parts: readonly KeyPart[], side: 'a' | 'b', conv: NumberConvention, ref?: (c: TypedColumn) => string): string {
  return parts.map((p) => keyTextSql(p[side], conv, ref ? ref(p[side]) : p[side].ref)).join(` || chr(31) || `);
}

/** The mapped pairs composite keys are made of: never-empty, key-like types, most distinct first, at most `max`. */
export function compositeParts(mapped: readonly KeyPart[], max = 8): KeyPart[] {
  return mapped
    .filter((p) => ['string', 'integer', 'date', 'timestamp', 'boolean'].includes(p.a.type) && p.a.n === p.a.rows && p.b.n === p.b.rows)
    .sort((p, q) => q.a.distinct - p.a.distinct)
    .slice(0, max);
}

/** A candidate key and its duplicate rows on the two samples. */
interface SampledKey {
  parts: KeyPart[];
  ok: boolean;
  extra: number;
}

/** Duplicate rows of every candidate on both samples, in one statement per side. */
async function sampleDuplicates(
  conn: DuckDBConnection,
  combos: readonly KeyPart[][],
  conv: { a: NumberConvention; b: NumberConvention },
  sa: Sampled,
  sb: Sampled,
): Promise<SampledKey[]> {
  if (combos.length === 0) return [];
  const distinct = async (side: 'a' | 'b', table: string): Promise<number[]> => {
    const row = await queryOne<Record<string, string>>(
      conn,
      `SELECT count(*) AS n, ${combos.map((c, i) => `count(DISTINCT ${keySql(c, side, conv[side])}) AS k${i}`).join(', ')} FROM ${table}`,
    );
    return combos.map((_, i) => Number(row['n']) - Number(row[`k${i}`]));
  };
  const extraA = await distinct('a', 'infer_s_a');
  const extraB = await distinct('b', 'infer_s_b');
  // Estimated over the whole files, so a sampled side's few duplicates weigh as much as they stand for.
  return combos.map((c, i) => ({
    parts: c,
    ok: uniqueEnough(extraA[i]!, sa) && uniqueEnough(extraB[i]!, sb),
    extra: estimatedDuplicates(extraA[i]!, sa) + estimatedDuplicates(extraB[i]!, sb),
  }));
}

/** Every combination of 2 and 3 of the parts. */
function combinations(usable: readonly KeyPart[]): KeyPart[][] {
  const combos: KeyPart[][] = [];
  for (let i = 0; i < usable.length; i++) {
    for (let j = i + 1; j < usable.length; j++) {
      combos.push([usable[i]!, usable[j]!]);
      for (let k = j + 1; k < usable.length; k++) combos.push([usable[i]!, usable[j]!, usable[k]!]);
    }
  }
  return combos;
}

/** Fewest duplicates first; among equals, fewer parts. */
const byDuplicates = (x: SampledKey, y: SampledKey): number => x.extra - y.extra || x.parts.length - y.parts.length;

/**
 * Composite keys from the roughly mapped columns: the smallest combination (2,
 * then 3 parts) unique enough on both samples, most shared between them.
 */
export async function compositeCandidates(
  conn: DuckDBConnection,
  mapped: readonly KeyPart[],
  conv: { a: NumberConvention; b: NumberConvention },
  sa: Sampled,
  sb: Sampled,
): Promise<KeyPart[][]> {
  const measured = await sampleDuplicates(conn, combinations(compositeParts(mapped)), conv, sa, sb);
  return measured
    .filter((x) => x.ok)
    .sort((x, y) => x.parts.length - y.parts.length || x.extra - y.extra)
    .map((x) => x.parts);
}

/**
 * When nothing is unique enough: the text or whole-number columns and the
 * combinations of the mapped columns with the fewest duplicates on both
 * samples. A column whose values repeat (a call's duration) is found in B as
 * often as a true key, so duplicates, not overlap, pick the candidates.
 */
export async function leastDuplicatedKeys(
  conn: DuckDBConnection,
  mapped: readonly KeyPart[],
  conv: { a: NumberConvention; b: NumberConvention },
  sa: Sampled,
  sb: Sampled,
): Promise<KeyPart[][]> {
  const singles = compositeParts(mapped)
    .filter((p) => (p.a.type === 'string' || p.a.type === 'integer') && (p.b.type === 'string' || p.b.type === 'integer'))
    .map((p) => [p]);
  const measured = await sampleDuplicates(conn, [...singles, ...combinations(compositeParts(mapped))], conv, sa, sb);
  return measured.sort(byDuplicates).map((x) => x.parts);
}
