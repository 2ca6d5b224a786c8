import { parseArgs } from 'node:util';
import { generateExtracts } from '../../generate/generate-extracts.ts';
import { generateSeries } from '../../generate/series.ts';

export const GENERATE_USAGE = `recon generate --rows N --out DIR [--seed S] [--break-rate 0.02] [--days N]

Writes realistic synthetic trade extracts a.csv and b.csv, truth.csv (the
injected breaks with their reason codes), fx.json and a matching definition.json.
With --days N, a daily series instead: DIR/day-01 … day-N, one business day
apart, where breaks persist, get fixed upstream, change value or arrive; each
day also has lifecycle.csv and resolved.csv (what a run linked to the day
before must report), and DIR/series.json lists the days and their as-of dates.`;

/** `recon generate`: sample extracts for demos, tests and benchmarks. */
export async function generateCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      rows: { type: 'string' },
      out: { type: 'string' },
      seed: { type: 'string' },
      'break-rate': { type: 'string' },
      days: { type: 'string' },
    },
    strict: true,
  });
  const rows = Number(values.rows);
  if (!values.out || !Number.isInteger(rows) || rows <= 0) {
    process.stderr.write(`--rows must be a positive whole number and --out a folder\n\n${GENERATE_USAGE}\n`);
    return 2;
  }
  const t0 = performance.now();
  if (values.days !== undefined) {
    const days = Number(values.days);
    if (!Number.isInteger(days) || days < 1 || days > 366) {
      process.stderr.write(`--days must be a whole number from 1 to 366\n\n${GENERATE_USAGE}\n`);
      return 2;
    }
    const series = await generateSeries({
      rows,
      days,
      outDir: values.out,
      ...(values.seed !== undefined ? { seed: Number(values.seed) } : {}),
      ...(values['break-rate'] !== undefined ? { breakRate: Number(values['break-rate']) } : {}),
    });
    process.stdout.write(
      `Wrote ${days} days of ${rows.toLocaleString('en-US')} trades in ${Math.round(performance.now() - t0)} ms\n` +
        series.days.map((d) => `  ${d.dir} (as of ${d.asOf}): ${d.breaks} injected breaks\n`).join('') +
        `  definition: ${series.definitionPath}\n`,
    );
    return 0;
  }
  const result = await generateExtracts({
    rows,
    outDir: values.out,
    ...(values.seed !== undefined ? { seed: Number(values.seed) } : {}),
    ...(values['break-rate'] !== undefined ? { breakRate: Number(values['break-rate']) } : {}),
  });
  process.stdout.write(
    `Wrote ${result.rowsA.toLocaleString('en-US')} rows to ${result.aPath} and ${result.rowsB.toLocaleString('en-US')} to ${result.bPath} in ${Math.round(performance.now() - t0)} ms\n` +
      `  truth: ${result.truthPath}\n  definition: ${result.definitionPath}\n` +
      `  injected: ${Object.entries(result.injected)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}\n`,
  );
  return 0;
}
