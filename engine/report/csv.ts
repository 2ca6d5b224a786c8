import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { ReconError } from '../errors/recon-error.ts';
import { exportedBreaks } from './break-rows.ts';
import { EXPORT_COLUMNS } from './columns.ts';
import { csvCell } from './csv-safety.ts';
import type { DecisionReader } from './decisions.ts';
import type { FinishedRun } from '../run-file/finished-run.ts';

/**
 * The breaks as CSV in one of two profiles. Excel: UTF-8 with a BOM (so Excel
 * reads UTF-8), the locale's list delimiter (";" where the decimal separator
 * is ",") and numbers with the locale's decimal separator. Machine: UTF-8
 * without BOM, comma, numbers as computed. Both neutralize formula cells
 * (csv-safety.ts says which computed numbers the machine profile exempts).
 */
export interface CsvProfile {
  name: 'excel' | 'machine';
  delimiter: string;
  bom: boolean;
  decimal: '.' | ',';
  /** Computed strictly numeric cells are written as-is (machine profile). */
  exemptComputedNumbers: boolean;
}

/** The decimal separator of a locale (default: this process's), via Intl.NumberFormat. */
export function localeDecimal(locale?: string): '.' | ',' {
  const part = new Intl.NumberFormat(locale).formatToParts(1.5).find((p) => p.type === 'decimal');
  return part?.value === ',' ? ',' : '.';
}

/** The Excel profile for a locale; `delimiter` overrides the locale's choice. */
export function excelProfile(locale?: string, delimiter?: string): CsvProfile {
  const decimal = localeDecimal(locale);
  return { name: 'excel', delimiter: delimiter ?? (decimal === ',' ? ';' : ','), bom: true, decimal, exemptComputedNumbers: false };
}

/** The machine profile: comma (or `delimiter`), no BOM, exact numbers. */
export function machineProfile(delimiter = ','): CsvProfile {
  return { name: 'machine', delimiter, bom: false, decimal: '.', exemptComputedNumbers: true };
}

/** Writes every break of the run; returns rows written. Streams, with backpressure. */
export async function writeBreaksCsv(
  run: FinishedRun,
  decisions: DecisionReader,
  out: string,
  profile: CsvProfile,
  opts: { onRows?: (done: number) => void; signal?: AbortSignal } = {},
): Promise<number> {
  const { onRows, signal } = opts;
  if (profile.delimiter.length !== 1 || /["\r\n]/.test(profile.delimiter)) throw new ReconError('INVALID_ARGUMENT', `not a usable CSV delimiter: ${JSON.stringify(profile.delimiter)}`);
  const d = profile.delimiter;
  let rows = 0;
  async function* text(): AsyncGenerator<string> {
    yield (profile.bom ? '\uFEFF' : '') + EXPORT_COLUMNS.map((c) => csvCell(c.header, d)).join(d) + '\r\n';
    for await (const batch of exportedBreaks(run, decisions)) {
      if (signal?.aborted) throw new ReconError('RUN_CANCELLED', 'the export was cancelled');
      let chunk = '';
      for (const r of batch) {
        chunk +=
          EXPORT_COLUMNS.map((c) => {
            let v = c.value(r);
            const computed = c.kind === 'number' && !c.input;
            if (computed && v !== null && profile.decimal === ',') v = v.replace('.', ',');
            return csvCell(v, d, { computedNumber: computed, exemptNumbers: profile.exemptComputedNumbers });
          }).join(d) + '\r\n';
      }
      yield chunk;
      rows += batch.length;
      onRows?.(rows);
    }
  }
  // pipeline: backpressure, and every error of the file stream (cannot open, disk full) rejects here; none is left unhandled.
  await pipeline(text, createWriteStream(out, { encoding: 'utf8' }));
  return rows;
}
