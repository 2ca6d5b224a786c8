import { queryOne, runWithProgress, type ProgressListener } from '../duckdb/open.ts';
import type { LoadContext } from '../ingest/load-source.ts';
import { keyTextSql } from './canon.ts';
import type { TypedColumn } from './column-types.ts';
import { compositeCandidates, compositeParts, keySql, leastDuplicatedKeys, rankPairs, roughMapping, singleCandidates, type KeyPart } from './key-candidates.ts';
import type { NumberConvention } from './numbers.ts';
import { sampleOverlap } from './overlap.ts';
import { ReconError } from '../errors/recon-error.ts';
import { identifierColumns, identifierParts, valueWords, type ValueColumn } from './identifier-like.ts';
import { cleanSql, type InferSource, type Sampled } from './source.ts';
import { betterKey, duplicateWords, hasDuplicates, measureDuplicates, triedPairs, whyNot } from './key-rank.ts';
import type { KeyReport, Question } from './types.ts';
import { pivotColumns, readLong, sampleOverlapPairs, type WideSampled } from './wide.ts';

/**
 * The key: of the candidate columns (or combinations), the one whose sampled
 * A values are found most often in B. Two independent samples of big files
 * share few records, so B is scanned once more for every record whose key
 * matches a sampled A key (`infer_m_b`): that gives the true overlap and the
 * key-matched record pairs everything after this learns from.
 */
export interface KeyDecision {
  parts: KeyPart[];
  /** Compare keys case-insensitively (the key field gets case "upper"). */
  caseFold: boolean;
  report: KeyReport;
  /** Doubts about the key a person should read (also in the key's reason). */
  warnings: string[];
  /** Asked when the chosen key has duplicates: a person may know a better one. */
  question?: Question;
}

const MAX_TRIED = 3;

/** Chooses the key and leaves `infer_m_b` holding B's records whose key matches a sampled A key. */
export async function chooseKey(
  ctx: LoadContext,
  input: {
    a: TypedColumn[];
    b: TypedColumn[];
    conv: { a: NumberConvention; b: NumberConvention };
    sa: Sampled;
    sb: Sampled;
    srcB: InferSource;
    /** A wide file (wide.ts): the samples in long form and the column pairs worth measuring. */
    wide?: { pairs: { x: TypedColumn; y: TypedColumn }[]; sa: WideSampled; sb: WideSampled };
  },
  onProgress?: ProgressListener,
): Promise<KeyDecision> {
  const { a, b, conv, sa, sb, srcB, wide } = input;
  const warnings: string[] = [];
  // Only identifiers may be key parts: a compared value in the key would turn its differences into missing records.
  const { kept: candA, values: valuesA } = await identifierColumns(ctx.conn, 'a', singleCandidates(a, sa), sa);
  const { kept: candB, values: valuesB } = await identifierColumns(ctx.conn, 'b', singleCandidates(b, sb), sb);
  const leftOut: ValueColumn[] = [...valuesA, ...valuesB];
  // A wide file's pairs among the given columns; undefined (every pair) for a regular one.
  const pairsOf = (xs: readonly TypedColumn[], ys: readonly TypedColumn[]): { x: TypedColumn; y: TypedColumn }[] | undefined => {
    if (!wide) return undefined;
    const [inA, inB] = [new Set(xs.map((c) => c.index)), new Set(ys.map((c) => c.index))];
    return wide.pairs.filter((p) => inA.has(p.x.index) && inB.has(p.y.index));
  };
  const overlapOf = (xs: TypedColumn[], ys: TypedColumn[]): ReturnType<typeof sampleOverlap> =>
    wide ? sampleOverlapPairs(ctx.conn, pairsOf(xs, ys)!, conv) : sampleOverlap(ctx.conn, xs, ys, conv);
  // Overlap of the candidates only; every column pair only when a composite key must be found.
  let tried: KeyPart[][] = triedPairs(rankPairs(candA, candB, await overlapOf(candA, candB), pairsOf(candA, candB))).map((p) => [p]);
  if (tried.length === 0) {
    const overlap = await overlapOf(a, b);
    const identifiers = await identifierParts(ctx.conn, compositeParts(roughMapping(a, b, overlap, wide?.pairs), Infinity), sa, sb);
    const mapped = identifiers.kept;
    leftOut.push(...identifiers.values);
    if (wide) {
      const parts = compositeParts(mapped);
      await pivotColumns(ctx.conn, 'infer_s_a', wide.sa.clean, 'a', parts.map((p) => p.a.index));
      await pivotColumns(ctx.conn, 'infer_s_b', wide.sb.clean, 'b', parts.map((p) => p.b.index));
    }
    tried = (await compositeCandidates(ctx.conn, mapped, conv, sa, sb)).slice(0, MAX_TRIED);
    if (tried.length === 0) {
      // Nothing is unique: the candidates with the fewest duplicates, ranked below as any others, and say so.
      tried = (await leastDuplicatedKeys(ctx.conn, mapped, conv, sa, sb)).slice(0, MAX_TRIED);
      if (tried.length === 0) {
        // No never-empty mapped column: the most shared text or number column pair.
        const ids = (cols: TypedColumn[]): TypedColumn[] => cols.filter((c) => c.type === 'string' || c.type === 'integer');
        const pairs = rankPairs(ids(a), ids(b), overlap, pairsOf(ids(a), ids(b)));
        if (pairs.length === 0) throw new ReconError('INPUT_PARSE_ERROR', 'no column of A and B can serve as a key: no text or whole-number columns on both sides');
        tried = [[pairs[0]!.part]];
      }
      warnings.push('no column or combination is unique on both sides; duplicates will be reported as DUPLICATE_KEY breaks');
      if (leftOut.length > 0) warnings.push(`left out of the key as compared values, not identifiers: ${valueWords(leftOut)}`);
    }
  }

  // One scan of B for all candidates: a record is kept when any candidate's key matches.
  const clean = (c: TypedColumn): string => cleanSql(c.ref);
  // A wide sample's key columns, as the regular path has them in `infer_s_a`.
  if (wide) await pivotColumns(ctx.conn, 'infer_s_a', wide.sa.clean, 'a', tried.flat().map((p) => p.a.index));
  for (const [i, c] of tried.entries()) {
    await ctx.conn.run(`CREATE OR REPLACE TABLE infer_keys_${i} AS SELECT DISTINCT ${keySql(c, 'a', conv.a)} AS k FROM infer_s_a WHERE k IS NOT NULL`);
  }
  const bCols = b.map((c) => `${clean(c)} AS ${c.ref}`).join(', ');
  // The filter reads the raw columns (cleaned inline), so only matching records are cleaned in full.
  const where = tried.map((c, i) => `${keySql(c, 'b', conv.b, clean)} IN (SELECT k FROM infer_keys_${i})`).join(' OR ');
  if (wide) {
    // A wide file's matched records in long form (`infer_lm_b`, as the samples), and their key columns as `infer_m_b`.
    // Raw values listed, cleaned once unnested: one expression, not one per column.
    await readLong(ctx, 'infer_lmr_b', b.map((c) => c.ref), (list) => `(SELECT ${list} AS l FROM ${srcB.relation} WHERE ${where})`, onProgress, true);
    await ctx.conn.run(`CREATE OR REPLACE TABLE infer_lm_b AS SELECT rid, i, ${cleanSql('r')} AS v FROM infer_lmr_b ORDER BY i, rid`);
    await ctx.conn.run('DROP TABLE infer_lmr_b');
    await pivotColumns(ctx.conn, 'infer_m_b', 'infer_lm_b', 'b', tried.flat().map((p) => p.b.index));
  } else {
    await runWithProgress(ctx.conn, `CREATE OR REPLACE TABLE infer_m_b AS SELECT ${bCols} FROM ${srcB.relation} WHERE ${where}`, onProgress, ctx.signal);
  }

  const scored: { parts: KeyPart[]; found: number; keys: number }[] = [];
  for (const [i, c] of tried.entries()) {
    const r = await queryOne<{ keys: string; found: string }>(
      ctx.conn,
      `SELECT count(*) AS keys, count(*) FILTER (WHERE k IN (SELECT ${keySql(c, 'b', conv.b)} FROM infer_m_b)) AS found FROM infer_keys_${i}`,
    );
    scored.push({ parts: c, keys: Number(r.keys), found: Number(r.found) });
  }
  const measured = await measureDuplicates(ctx.conn, scored, conv, sa);
  const best = measured.reduce((x, y) => (betterKey(y, x) ? y : x));
  const overlapShare = best.keys === 0 ? 0 : best.found / best.keys;
  // The same key without case folding: text parts as trimmed, numbers and dates canonical.
  const exactKey = (side: 'a' | 'b'): string =>
    best.parts.map((p) => (p[side].type === 'string' ? p[side].ref : keyTextSql(p[side], conv[side]))).join(' || chr(31) || ');
  const stats = await queryOne<{ exact: string }>(
    ctx.conn,
    `SELECT count(DISTINCT ${exactKey('a')}) AS exact FROM infer_s_a WHERE ${exactKey('a')} IN (SELECT ${exactKey('b')} FROM infer_m_b)`,
  );
  // Keys that only match after upper-casing need a case-insensitive key.
  const caseFold = best.parts.some((p) => p.a.type === 'string') && best.found > 0 && Number(stats.exact) < 0.95 * best.found;
  const { dupA, dupB } = best;
  if (overlapShare < 0.5) warnings.push(`only ${pct(overlapShare)} of sampled A keys occur in B: check that both files cover the same records`);

  const names = best.parts.map((p) => p.a.name);
  const pairText = best.parts.map((p) => `${p.a.name} ↔ ${p.b.name}`).join(' + ');
  const found = `${pct(overlapShare)} of sampled A keys are found in B`;
  // The words follow the counts: "unique" only when no duplicate was seen on either side.
  const composite = best.parts.length > 1;
  const why = !hasDuplicates(best)
    ? composite
      ? `no single column is unique; ${pairText} is unique on both samples and ${found}`
      : `${pairText}: unique and never empty on both sides; ${found}`
    : `${composite ? 'no single column is unique; ' : ''}${pairText}: never empty, but ${duplicateWords(best)}; ${found}`;
  const question: Question | undefined = hasDuplicates(best)
    ? {
        message: `Key ${pairText} is ${duplicateWords(best)}; each is reported as a DUPLICATE_KEY break. Is there a column (or combination) that identifies one record?`,
        options: [...new Set([best, ...measured].map((m) => m.parts.map((p) => `${p.a.name} ↔ ${p.b.name}`).join(' + ')))],
        hint:
          measured.length > 1
            ? `the other candidates tried: ${measured.filter((m) => m !== best).map((m) => `${m.parts.map((p) => p.a.name).join(' + ')} (${whyNot(m, best)})`).join('; ')}`
            : 'no other column was unique enough to try',
      }
    : undefined;
  return {
    parts: best.parts,
    caseFold,
    warnings,
    ...(question ? { question } : {}),
    report: {
      value: names,
      bColumns: best.parts.map((p) => p.b.name),
      confidence: round(Math.min(0.99, 0.4 + 0.6 * overlapShare) * (warnings.length > 0 || question ? 0.7 : 1)),
      reason: [why + (caseFold ? '; keys differ in case, so they are compared case-insensitively' : ''), ...warnings].join('; '),
      overlap: round(overlapShare),
      duplicatesA: dupA,
      duplicatesB: dupB,
      alternatives: measured
        .filter((s) => s !== best)
        .map((s) => ({ a: s.parts.map((p) => p.a.name), b: s.parts.map((p) => p.b.name), overlap: round(s.keys === 0 ? 0 : s.found / s.keys), why: whyNot(s, best) })),
    },
  };
}

const pct = (x: number): string => `${Math.round(x * 1000) / 10}%`;
const round = (x: number): number => Math.round(x * 1000) / 1000;
