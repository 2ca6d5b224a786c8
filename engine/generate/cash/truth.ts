import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { MATCH_TYPES, type MatchType } from '../../match/definition.ts';

/**
 * truth.csv of a generated cash pair, and the score of a matcher's result against
 * it. A match is judged as the pairs of ids it makes: every (ledger id, bank id)
 * pair inside one group, for truth and prediction alike, so a group found in part
 * earns the pairs it got right.
 */
export type Side = 'A' | 'B';

export interface CashTruthRow {
  side: Side;
  id: string;
  /** The true match group; '' when the row has no counterpart. */
  groupId: string;
  matchType: MatchType | '';
  kind: string;
}

/** One matched row of a matcher's result: rows with the same match_id form one match. */
export interface PredictedMatch {
  side: Side;
  id: string;
  match_id: string;
}

/** One row a matcher flagged ambiguous (a tie it would not guess): left out of its unmatched rows. */
export interface PredictedRow {
  side: Side;
  id: string;
}

/** Precision and recall of a set of rows or pairs; 1 when the set it divides by is empty. */
export interface Rate {
  truth: number;
  predicted: number;
  correct: number;
  precision: number;
  recall: number;
}

export interface MatchTypeScore {
  /** Truth groups of this type, and the A×B pairs in them. */
  truthGroups: number;
  truthPairs: number;
  /** Of those pairs, the ones predicted. */
  foundPairs: number;
  recall: number;
  /** Predicted matches of this shape, and the pairs in them. */
  predictedMatches: number;
  predictedPairs: number;
  /** Truth groups predicted exactly: one match holding all their rows and nothing else. */
  exactGroups: number;
}

export interface CashScore {
  pairs: Rate;
  /** Rows without a counterpart: truth's against the rows the matcher left unmatched (ambiguous ones excepted). */
  unmatched: { A: Rate; B: Rate; all: Rate };
  byMatchType: Record<MatchType, MatchTypeScore>;
  /** Rows flagged ambiguous, and how many of them truth calls INDISTINGUISHABLE. */
  ambiguous: { rows: number; indistinguishable: number };
  /** Truth rows per kind. */
  kinds: Record<string, number>;
}

const HEADER = 'side,id,group_id,match_type,kind';

function parseTruthLine(line: string, lineNo: number): CashTruthRow {
  const parts = line.split(',');
  const [side, id, groupId, matchType, kind] = parts;
  if (parts.length !== 5 || (side !== 'A' && side !== 'B') || !id || kind === undefined || groupId === undefined) {
    throw new Error(`truth.csv line ${lineNo}: expected side,id,group_id,match_type,kind, got "${line}"`);
  }
  if (matchType !== '' && !(MATCH_TYPES as readonly string[]).includes(matchType ?? '')) throw new Error(`truth.csv line ${lineNo}: unknown match type "${matchType}"`);
  if ((groupId === '') !== (matchType === '')) throw new Error(`truth.csv line ${lineNo}: a group id goes with a match type`);
  return { side, id, groupId, matchType: matchType as MatchType | '', kind };
}

/** Parses truth.csv's text (ids and kinds never hold commas or quotes). */
export function parseTruth(text: string): CashTruthRow[] {
  const lines = text.split(/\r?\n/);
  if (lines[0] !== HEADER) throw new Error(`truth.csv: expected the header "${HEADER}"`);
  const rows: CashTruthRow[] = [];
  for (let i = 1; i < lines.length; i++) if (lines[i] !== '') rows.push(parseTruthLine(lines[i] as string, i + 1));
  return rows;
}

/** Reads truth.csv line by line (a million-row pair's truth is ~90 MB of text, never held whole). */
export async function readTruth(path: string): Promise<CashTruthRow[]> {
  const rows: CashTruthRow[] = [];
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  let lineNo = 0;
  for await (const line of lines) {
    lineNo++;
    if (lineNo === 1) {
      if (line !== HEADER) throw new Error(`truth.csv: expected the header "${HEADER}"`);
    } else if (line !== '') rows.push(parseTruthLine(line, lineNo));
  }
  return rows;
}

function rate(truth: number, predicted: number, correct: number): Rate {
  return { truth, predicted, correct, precision: predicted === 0 ? 1 : correct / predicted, recall: truth === 0 ? 1 : correct / truth };
}

function shapeOf(a: number, b: number): MatchType {
  if (a === 1) return b === 1 ? '1:1' : '1:N';
  return b === 1 ? 'N:1' : 'N:M';
}

/** Counts per key of a side's rows in a group or match. */
interface Members {
  a: number;
  b: number;
}

/**
 * Scores a matcher's matches against truth. `predicted` lists the matched rows
 * (each row at most once); every truth row not in it was left unmatched, except
 * the rows in `ambiguous`, which the matcher flagged as ties: those are neither
 * matched nor unmatched. A predicted id truth does not know is an error.
 */
export function scoreMatches(truth: readonly CashTruthRow[], predicted: readonly PredictedMatch[], ambiguous: readonly PredictedRow[] = []): CashScore {
  const rowKey = (side: Side, id: string): string => `${side}\u0000${id}`;
  const byRow = new Map<string, CashTruthRow>();
  const groups = new Map<string, Members>();
  const kinds: Record<string, number> = {};
  for (const t of truth) {
    const k = rowKey(t.side, t.id);
    if (byRow.has(k)) throw new Error(`truth lists ${t.side} ${t.id} twice`);
    byRow.set(k, t);
    kinds[t.kind] = (kinds[t.kind] ?? 0) + 1;
    if (t.groupId === '') continue;
    const g = groups.get(t.groupId) ?? { a: 0, b: 0 };
    if (t.side === 'A') g.a++;
    else g.b++;
    groups.set(t.groupId, g);
  }

  // Per predicted match: its size per side, and per truth group the rows of it it holds.
  const matchSizes = new Map<string, Members>();
  const overlap = new Map<string, Map<string, Members>>();
  const matchedRows = new Set<string>();
  for (const p of predicted) {
    const k = rowKey(p.side, p.id);
    const t = byRow.get(k);
    if (!t) throw new Error(`predicted ${p.side} ${p.id} is not in truth`);
    if (matchedRows.has(k)) throw new Error(`predicted ${p.side} ${p.id} is in two matches`);
    matchedRows.add(k);
    const size = matchSizes.get(p.match_id) ?? { a: 0, b: 0 };
    if (p.side === 'A') size.a++;
    else size.b++;
    matchSizes.set(p.match_id, size);
    if (t.groupId === '') continue;
    let perGroup = overlap.get(p.match_id);
    if (!perGroup) overlap.set(p.match_id, (perGroup = new Map()));
    const o = perGroup.get(t.groupId) ?? { a: 0, b: 0 };
    if (p.side === 'A') o.a++;
    else o.b++;
    perGroup.set(t.groupId, o);
  }

  const byMatchType = Object.fromEntries(
    MATCH_TYPES.map((m) => [m, { truthGroups: 0, truthPairs: 0, foundPairs: 0, recall: 1, predictedMatches: 0, predictedPairs: 0, exactGroups: 0 }]),
  ) as Record<MatchType, MatchTypeScore>;
  let truthPairs = 0;
  for (const g of groups.values()) {
    const s = byMatchType[shapeOf(g.a, g.b)];
    s.truthGroups++;
    s.truthPairs += g.a * g.b;
    truthPairs += g.a * g.b;
  }
  let predictedPairs = 0;
  for (const m of matchSizes.values()) {
    predictedPairs += m.a * m.b;
    if (m.a > 0 && m.b > 0) {
      const s = byMatchType[shapeOf(m.a, m.b)];
      s.predictedMatches++;
      s.predictedPairs += m.a * m.b;
    }
  }
  let correctPairs = 0;
  for (const [matchId, perGroup] of overlap) {
    const size = matchSizes.get(matchId) as Members;
    for (const [groupId, o] of perGroup) {
      const g = groups.get(groupId) as Members;
      const s = byMatchType[shapeOf(g.a, g.b)];
      correctPairs += o.a * o.b;
      s.foundPairs += o.a * o.b;
      if (o.a === g.a && o.b === g.b && size.a === g.a && size.b === g.b) s.exactGroups++;
    }
  }
  for (const s of Object.values(byMatchType)) s.recall = s.truthPairs === 0 ? 1 : s.foundPairs / s.truthPairs;

  const flagged = new Set<string>();
  let indistinguishable = 0;
  for (const r of ambiguous) {
    const k = rowKey(r.side, r.id);
    const t = byRow.get(k);
    if (!t) throw new Error(`ambiguous ${r.side} ${r.id} is not in truth`);
    if (matchedRows.has(k)) throw new Error(`${r.side} ${r.id} is both matched and ambiguous`);
    if (flagged.has(k)) continue;
    flagged.add(k);
    if (t.kind === 'INDISTINGUISHABLE') indistinguishable++;
  }
  const counts = { A: { truth: 0, predicted: 0, correct: 0 }, B: { truth: 0, predicted: 0, correct: 0 } };
  for (const [k, t] of byRow) {
    const c = counts[t.side];
    const truthUnmatched = t.groupId === '';
    const predictedUnmatched = !matchedRows.has(k) && !flagged.has(k);
    if (truthUnmatched) c.truth++;
    if (predictedUnmatched) c.predicted++;
    if (truthUnmatched && predictedUnmatched) c.correct++;
  }
  const { A, B } = counts;
  return {
    pairs: rate(truthPairs, predictedPairs, correctPairs),
    unmatched: {
      A: rate(A.truth, A.predicted, A.correct),
      B: rate(B.truth, B.predicted, B.correct),
      all: rate(A.truth + B.truth, A.predicted + B.predicted, A.correct + B.correct),
    },
    byMatchType,
    ambiguous: { rows: flagged.size, indistinguishable },
    kinds,
  };
}
