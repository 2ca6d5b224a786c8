import { parseArgs } from 'node:util';
import { generateCash } from '../../generate/cash/generate-cash.ts';
import { generateExtracts } from '../../generate/generate-extracts.ts';
import { generateSeries } from '../../generate/series.ts';

export const GENERATE_USAGE = `recon generate --rows N --out DIR [--kind trades|cash] [--seed S] [--break-rate 0.02] [--days N]

--kind trades (default): realistic synthetic trade extracts a.csv and b.csv,
truth.csv (the injected breaks with their reason codes), fx.json and a matching
definition.json. With --days N, a daily series instead: DIR/day-01 … day-N, one
business day apart, where breaks persist, get fixed upstream, change value or
arrive; each day also has lifecycle.csv and resolved.csv (what a run linked to
the day before must report), and DIR/series.json lists the days and their as-of
dates.

--kind cash: a cash ledger (ledger.csv, about N rows) against the bank
statement (bank.csv) that share no key: value-date lags, references mangled or
missing in the narratives, counterparty names spelt differently, instalments,
settlements of several invoices, partial payments, bank fees, outstanding
items. truth.csv gives every row's true match group and kind, and
definition.json a definition whose matching rules pair them.`;

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
      kind: { type: 'string' },
    },
    strict: true,
  });
  const rows = Number(values.rows);
  if (!values.out || !Number.isInteger(rows) || rows <= 0) {
    process.stderr.write(`--rows must be a positive whole number and --out a folder\n\n${GENERATE_USAGE}\n`);
    return 2;
  }
  const kind = values.kind ?? 'trades';
  if (kind !== 'trades' && kind !== 'cash') {
    process.stderr.write(`--kind must be trades or cash\n\n${GENERATE_USAGE}\n`);
    return 2;
  }
  const t0 = performance.now();
  if (kind === 'cash') {
    if (values.days !== undefined || values['break-rate'] !== undefined) {
      process.stderr.write(`--days and --break-rate apply to --kind trades only\n\n${GENERATE_USAGE}\n`);
      return 2;
    }
    const seed = values.seed !== undefined ? Number(values.seed) : undefined;
    if (seed !== undefined && !Number.isFinite(seed)) {
      process.stderr.write(`--seed must be a number\n\n${GENERATE_USAGE}\n`);
      return 2;
    }
    const cash = await generateCash({ rows, outDir: values.out, ...(seed !== undefined ? { seed } : {}) });
    process.stdout.write(
      `Wrote ${cash.ledgerRows.toLocaleString('en-US')} ledger rows to ${cash.ledgerPath} and ${cash.bankRows.toLocaleString('en-US')} statement lines to ${cash.bankPath} ` +
        `(${cash.firstDate} to ${cash.lastDate}) in ${Math.round(performance.now() - t0)} ms\n` +
        `  truth: ${cash.truthPath}\n  definition: ${cash.definitionPath}\n` +
        `  groups: ${Object.entries(cash.groups)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')}; without a counterpart: ledger ${cash.withoutCounterpart.a}, statement ${cash.withoutCounterpart.b}\n`,
    );
    return 0;
  }
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
