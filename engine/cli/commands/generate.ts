import { parseArgs } from 'node:util';
import { generateExtracts } from '../../generate/generate-extracts.ts';

export const GENERATE_USAGE = `recon generate --rows N --out DIR [--seed S] [--break-rate 0.02]

Writes realistic synthetic trade extracts a.csv and b.csv, truth.csv (the
injected breaks with their reason codes), fx.json and a matching definition.json.`;

/** `recon generate`: sample extracts for demos, tests and benchmarks. */
export async function generateCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      rows: { type: 'string' },
      out: { type: 'string' },
      seed: { type: 'string' },
      'break-rate': { type: 'string' },
    },
    strict: true,
  });
  const rows = Number(values.rows);
  if (!values.out || !Number.isInteger(rows) || rows <= 0) {
    process.stderr.write(`--rows must be a positive whole number and --out a folder\n\n${GENERATE_USAGE}\n`);
    return 2;
  }
  const t0 = performance.now();
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
