import type { RefusedMap } from './types.ts';

/**
 * Value maps from key-matched records. A map is a code list one side writes
 * differently (B/S for BUY/SELL, UK for GB): a consistent many-to-one mapping
 * over a small domain that the column uses systematically. A spelling that
 * shows up now and then against a value both sides usually spell the same
 * ("ACME CORP" where both mostly say "ACME CORPORATION") is a break, not a map.
 */

/** Most distinct values either side may have for a map to be learned. */
export const MAP_DOMAIN = 50;
/** Share of a B value's records that must go to one A value. */
const CONSISTENT = 0.95;
/** Share of the A value's records that the B value must carry: systematic, not sporadic. */
const SYSTEMATIC = 0.2;

export interface Cell {
  va: string;
  vb: string;
  n: number;
}

export interface LearnedMap {
  /** B value → A value; empty when no map is needed or allowed. */
  map: Record<string, string>;
  agreeBefore: number;
  agreeAfter: number;
  /** Records the map's entries cover. */
  covered: number;
  total: number;
  refused: Omit<RefusedMap, 'field'>[];
}

/** Learns a B→A value map from the contingency of a text field on matched records. */
export function learnMap(cells: readonly Cell[]): LearnedMap {
  const total = cells.reduce((s, c) => s + c.n, 0);
  const byB = new Map<string, Cell[]>();
  const totalA = new Map<string, number>();
  for (const c of cells) {
    byB.set(c.vb, [...(byB.get(c.vb) ?? []), c]);
    totalA.set(c.va, (totalA.get(c.va) ?? 0) + c.n);
  }
  const agreeBefore = total === 0 ? 0 : cells.filter((c) => c.va === c.vb).reduce((s, c) => s + c.n, 0) / total;
  const empty = { map: {}, agreeBefore, agreeAfter: agreeBefore, covered: 0, total, refused: [] };
  if (total === 0 || byB.size > MAP_DOMAIN || totalA.size > MAP_DOMAIN) return empty;

  const map: Record<string, string> = {};
  const refused: LearnedMap['refused'] = [];
  let covered = 0;
  for (const [vb, list] of byB) {
    const nb = list.reduce((s, c) => s + c.n, 0);
    const top = list.reduce((x, y) => (y.n > x.n ? y : x));
    if (top.va === vb) continue;
    const consistency = top.n / nb;
    const share = top.n / (totalA.get(top.va) ?? 1);
    const support = top.n >= Math.max(2, 0.005 * total);
    if (consistency >= CONSISTENT && share >= SYSTEMATIC && support) {
      map[vb] = top.va;
      covered += top.n;
    } else if (consistency >= CONSISTENT && top.n >= 2) {
      const same = cells.find((c) => c.va === top.va && c.vb === top.va)?.n ?? 0;
      refused.push({
        from: vb,
        to: top.va,
        records: top.n,
        reason: !support
          ? `seen in only ${top.n} matched records`
          : `"${top.va}" is written the same on both sides in ${pct(same / (totalA.get(top.va) ?? 1))} of its records: a different spelling, so a break, not a map`,
      });
    }
  }
  const agreeAfter = total === 0 ? 0 : cells.filter((c) => (map[c.vb] ?? c.vb) === c.va).reduce((s, c) => s + c.n, 0) / total;
  // A map must make the column agree; entries that do not change the picture are dropped.
  if (Object.keys(map).length === 0 || agreeAfter < Math.max(0.9, agreeBefore + 0.02)) {
    return { ...empty, refused: refused.sort((x, y) => y.records - x.records).slice(0, 10) };
  }
  return { map, agreeBefore, agreeAfter, covered, total, refused: refused.sort((x, y) => y.records - x.records).slice(0, 10) };
}

const pct = (x: number): string => `${Math.round(x * 1000) / 10}%`;
