/**
 * An FX table as the definition holds it: pair → rate as an exact string,
 * e.g. { "EURUSD": "1.0850" } (1 EUR = 1.0850 USD).
 */
export type FxTable = Readonly<Record<string, string>>;

const PAIR = /^([A-Z]{3})([A-Z]{3})$/;

/**
 * Every ratio B/A an amount can show when one side reports it in another
 * currency: each quoted rate, its inverse, and the cross rates through a shared
 * currency (EURGBP from EURUSD and GBPUSD). Sorted and deduplicated.
 */
export function fxRatios(table: FxTable | undefined): number[] {
  if (!table) return [];
  // value[c] relative to a reference per connected group, found by walking the pairs.
  const edges = new Map<string, { to: string; rate: number }[]>();
  const add = (from: string, to: string, rate: number): void => {
    const list = edges.get(from) ?? [];
    list.push({ to, rate });
    edges.set(from, list);
  };
  for (const [pair, text] of Object.entries(table)) {
    const m = PAIR.exec(pair.toUpperCase());
    const rate = Number(text);
    if (!m || !(rate > 0) || !Number.isFinite(rate)) continue;
    add(m[1]!, m[2]!, rate); // 1 base = rate quote
    add(m[2]!, m[1]!, 1 / rate);
  }
  const out = new Set<number>();
  for (const start of edges.keys()) {
    // Breadth-first: amount of each reachable currency per 1 unit of `start`.
    const value = new Map<string, number>([[start, 1]]);
    const queue = [start];
    while (queue.length > 0) {
      const c = queue.shift()!;
      for (const e of edges.get(c) ?? []) {
        if (value.has(e.to)) continue;
        value.set(e.to, value.get(c)! * e.rate);
        queue.push(e.to);
      }
    }
    for (const [c, v] of value) if (c !== start) out.add(Number(v.toPrecision(12)));
  }
  return [...out].sort((a, b) => a - b);
}

/** A DuckDB list literal of the ratios (NULL-free DOUBLEs), or an empty DOUBLE list. */
export function fxRatioListSql(ratios: readonly number[]): string {
  for (const r of ratios) if (!Number.isFinite(r) || r <= 0) throw new Error(`bad FX ratio ${r}`);
  return ratios.length === 0 ? '[]::DOUBLE[]' : `[${ratios.map((r) => `${r}::DOUBLE`).join(', ')}]`;
}
