/**
 * How alike two column names are, 0..1: the better of word overlap (after
 * splitting camelCase and snake_case and reading common extract abbreviations
 * as their word) and letter-pair overlap. Names only ever support the value
 * evidence; a perfect name with disagreeing values is not mapped.
 */

const ABBREVIATIONS: Record<string, string> = {
  dt: 'date',
  ccy: 'currency',
  cur: 'currency',
  curr: 'currency',
  crncy: 'currency',
  qty: 'quantity',
  quantity: 'quantity',
  px: 'price',
  prc: 'price',
  cpty: 'counterparty',
  ctpy: 'counterparty',
  cparty: 'counterparty',
  amt: 'amount',
  ref: 'id',
  reference: 'id',
  no: 'id',
  nr: 'id',
  num: 'id',
  nbr: 'id',
  number: 'id',
  identifier: 'id',
  key: 'id',
  code: 'id',
  acct: 'account',
  acc: 'account',
  sec: 'security',
  desc: 'description',
  val: 'value',
  settle: 'settlement',
  stl: 'settlement',
  trd: 'trade',
  txn: 'transaction',
  tx: 'transaction',
  bs: 'side',
  dir: 'side',
  direction: 'side',
};

/** Words of a column name, lower case, abbreviations expanded. */
export function nameTokens(name: string): string[] {
  return name
    .replace(/([a-z\d])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z\d]+|(?<=[a-z])(?=\d)|(?<=\d)(?=[a-z])/)
    .filter((t) => t !== '')
    .map((t) => ABBREVIATIONS[t] ?? t);
}

function bigrams(s: string): Map<string, number> {
  const out = new Map<string, number>();
  for (let i = 0; i + 1 < s.length; i++) out.set(s.slice(i, i + 2), (out.get(s.slice(i, i + 2)) ?? 0) + 1);
  return out;
}

function dice(a: string, b: string): number {
  if (a === b) return 1;
  const x = bigrams(a);
  const y = bigrams(b);
  let shared = 0;
  for (const [g, n] of x) shared += Math.min(n, y.get(g) ?? 0);
  const total = Math.max(1, a.length - 1) + Math.max(1, b.length - 1);
  return (2 * shared) / total;
}

/** Similarity of two column names, 0..1. */
export function nameSimilarity(a: string, b: string): number {
  const ta = nameTokens(a);
  const tb = nameTokens(b);
  if (ta.join(' ') === tb.join(' ')) return 1;
  const sa = new Set(ta);
  const sb = new Set(tb);
  const inter = [...sa].filter((t) => sb.has(t)).length;
  const jaccard = inter / new Set([...sa, ...sb]).size;
  return Math.max(jaccard, dice(ta.join(''), tb.join('')) * 0.9);
}

/** Whether a name says "identifier". */
export function looksLikeId(name: string): boolean {
  return nameTokens(name).includes('id');
}
