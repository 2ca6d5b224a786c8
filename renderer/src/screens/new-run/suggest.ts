/**
 * Column mapping suggestions by name similarity: A's "Quantity" against B's
 * "qty", "SettleDate" against "settle_dt". Names are split into words,
 * common abbreviations are expanded, then compared by words, by letters in
 * order (abbreviations) and by letter pairs.
 */

/** Abbreviations in extract headers, and what they stand for. */
const WORDS: Record<string, string> = {
  dt: 'date', date: 'date', qty: 'quantity', quantity: 'quantity', px: 'price', prc: 'price', price: 'price',
  ccy: 'currency', cur: 'currency', curr: 'currency', currency: 'currency', cpty: 'counterparty', cp: 'counterparty',
  ctpy: 'counterparty', counterparty: 'counterparty', ref: 'id', reference: 'id', id: 'id', no: 'id', num: 'id',
  amt: 'amount', amount: 'amount', notional: 'amount', nominal: 'amount', net: 'amount', bs: 'side', buy: 'side', sell: 'side',
  side: 'side', direction: 'side', dir: 'side', stl: 'settle', sttl: 'settle', settlement: 'settle', settle: 'settle',
  acct: 'account', acc: 'account', account: 'account', sec: 'security', instr: 'instrument',
};

/** Words of a column name: snake, kebab, camel and Pascal case split, lower-cased, abbreviations expanded. */
export function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w !== '')
    .map((w) => WORDS[w] ?? w);
}

const squash = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]/g, '');

/** True when every letter of `short` appears in `long` in order, starting with the same letter ("qty" in "quantity"). */
function isAbbreviation(short: string, long: string): boolean {
  if (short.length < 2 || short.length >= long.length || short[0] !== long[0]) return false;
  let i = 0;
  for (const ch of long) if (ch === short[i]) i++;
  return i === short.length;
}

function letterPairs(s: string): Map<string, number> {
  const m = new Map<string, number>();
  for (let i = 0; i < s.length - 1; i++) m.set(s.slice(i, i + 2), (m.get(s.slice(i, i + 2)) ?? 0) + 1);
  return m;
}

function dice(a: string, b: string): number {
  const pa = letterPairs(a);
  const pb = letterPairs(b);
  let common = 0;
  for (const [k, n] of pa) common += Math.min(n, pb.get(k) ?? 0);
  const total = Math.max(1, a.length - 1 + b.length - 1);
  return (2 * common) / total;
}

/** Similarity of two column names in 0..1. */
export function nameSimilarity(a: string, b: string): number {
  const sa = squash(a);
  const sb = squash(b);
  if (sa === sb) return 1;
  const wa = words(a);
  const wb = words(b);
  if (wa.join(' ') === wb.join(' ')) return 0.95;
  const setB = new Set(wb);
  const shared = wa.filter((w) => setB.has(w)).length;
  const byWords = (2 * shared) / (wa.length + wb.length);
  const abbrev = isAbbreviation(sb, sa) || isAbbreviation(sa, sb) ? 0.8 : 0;
  return Math.max(byWords * 0.9, abbrev, dice(sa, sb) * 0.85);
}

/** The weakest similarity still offered as a suggestion. */
export const MIN_SIMILARITY = 0.5;

/** For each A column, the B column it most likely is (each B column used once), or null. */
export function suggestMapping(aColumns: readonly string[], bColumns: readonly string[]): Map<string, string | null> {
  const pairs: { a: string; b: string; score: number }[] = [];
  for (const a of aColumns) for (const b of bColumns) pairs.push({ a, b, score: nameSimilarity(a, b) });
  pairs.sort((x, y) => y.score - x.score);
  const out = new Map<string, string | null>(aColumns.map((a) => [a, null]));
  const usedB = new Set<string>();
  for (const p of pairs) {
    if (p.score < MIN_SIMILARITY) break;
    if (out.get(p.a) !== null || usedB.has(p.b)) continue;
    out.set(p.a, p.b);
    usedB.add(p.b);
  }
  return out;
}
