/** Evaluation figures of a model on labelled breaks, as stored in the model file and printed by `recon model evaluate`. */
export interface ModelMetrics {
  threshold: number;
  /** Labelled breaks evaluated. */
  evaluated: number;
  /** Share where the best guess (reason or suggestion) equals the truth. */
  accuracy: number;
  perClass: Record<string, { precision: number; recall: number; support: number }>;
  /** Share of breaks attributed automatically (confidence ≥ threshold). */
  autoRate: number;
  /** Share of the auto-attributed breaks whose reason equals the truth. */
  autoAccuracy: number;
  /** Rows: truth, columns: best guess; same label order both ways. */
  confusion: { labels: string[]; matrix: number[][] };
}

/** Counts outcomes one break at a time (no per-break arrays kept). */
export class MetricsAccumulator {
  private readonly pairs = new Map<string, number>();
  private n = 0;
  private correct = 0;
  private auto = 0;
  private autoCorrect = 0;

  constructor(private readonly threshold: number) {}

  /** `n` labelled breaks with this truth, best guess and auto/review outcome. */
  add(truth: string, guess: string, isAuto: boolean, n = 1): void {
    this.n += n;
    if (truth === guess) this.correct += n;
    if (isAuto) {
      this.auto += n;
      if (truth === guess) this.autoCorrect += n;
    }
    const k = `${truth}\u0000${guess}`;
    this.pairs.set(k, (this.pairs.get(k) ?? 0) + n);
  }

  result(): ModelMetrics {
    const labels = [...new Set([...this.pairs.keys()].flatMap((k) => k.split('\u0000')))].sort();
    const at = new Map(labels.map((l, i) => [l, i]));
    const matrix = labels.map(() => labels.map(() => 0));
    for (const [k, v] of this.pairs) {
      const [t, g] = k.split('\u0000') as [string, string];
      matrix[at.get(t)!]![at.get(g)!]! += v;
    }
    const perClass: ModelMetrics['perClass'] = {};
    labels.forEach((l, i) => {
      const tp = matrix[i]![i]!;
      const support = matrix[i]!.reduce((s, v) => s + v, 0);
      const predicted = matrix.reduce((s, row) => s + row[i]!, 0);
      perClass[l] = { precision: predicted === 0 ? 0 : tp / predicted, recall: support === 0 ? 0 : tp / support, support };
    });
    return {
      threshold: this.threshold,
      evaluated: this.n,
      accuracy: this.n === 0 ? 0 : this.correct / this.n,
      perClass,
      autoRate: this.n === 0 ? 0 : this.auto / this.n,
      autoAccuracy: this.auto === 0 ? 0 : this.autoCorrect / this.auto,
      confusion: { labels, matrix },
    };
  }
}

/** The metrics as a plain-text report (accuracy, per class, confusion matrix, auto share). */
export function formatMetrics(m: ModelMetrics, title = 'Evaluation'): string {
  const pct = (v: number): string => `${(v * 100).toFixed(1)}%`;
  const lines = [
    `${title}: ${m.evaluated.toLocaleString('en-US')} labelled breaks, threshold ${m.threshold}`,
    `  accuracy (best guess)        ${pct(m.accuracy)}`,
    `  auto-attributed             ${pct(m.autoRate)}`,
    `  accuracy of auto-attributed ${pct(m.autoAccuracy)}`,
    '',
    `  ${'class'.padEnd(15)} ${'precision'.padStart(9)} ${'recall'.padStart(7)} ${'support'.padStart(8)}`,
    ...Object.entries(m.perClass).map(
      ([c, v]) => `  ${c.padEnd(15)} ${pct(v.precision).padStart(9)} ${pct(v.recall).padStart(7)} ${String(v.support).padStart(8)}`,
    ),
    '',
    '  confusion (rows: truth, columns: best guess)',
  ];
  const short = m.confusion.labels.map((l) => l.slice(0, 8));
  lines.push(`  ${''.padEnd(15)} ${short.map((s) => s.padStart(8)).join(' ')}`);
  m.confusion.labels.forEach((l, i) => lines.push(`  ${l.padEnd(15)} ${m.confusion.matrix[i]!.map((v) => String(v).padStart(8)).join(' ')}`));
  return lines.join('\n');
}
