import { clipText } from '../../errors/quote.ts';
import { ReconError } from '../../errors/recon-error.ts';
import type { XlsxLimits } from './xlsx-limits.ts';

/** What a formula cell without a computed value in an XLSX is, and what to do about it. */
export const UNCOMPUTED_REASON = 'formula without a computed value: open and save the file in Excel, or export values';

/** Where in the input a conversion problem sits, for the caller's "file, line N: …" report. */
export interface ConvertErrorDetails {
  file: string;
  /** 1-based text line (transcode) or worksheet row number (xlsx). */
  line?: number;
  /** Byte offset of an invalid sequence. */
  offset?: number;
  sheet?: string;
  /** Column letter of an xlsx cell. */
  column?: string;
  /** The zip entry (xlsx part) being read. */
  entry?: string;
}

/** A problem with the user's file (not a bug). Messages leave out the file name: callers prefix it. */
export class ConvertInputError extends Error {
  readonly details: ConvertErrorDetails;

  constructor(message: string, details: ConvertErrorDetails, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConvertInputError';
    this.details = details;
  }
}

/** Which limit a file exceeded: one of XlsxLimits, or Excel's grid (rows/columns). */
export type LimitName = keyof XlsxLimits | 'grid';

/** The file is larger than we convert (INPUT_TOO_LARGE): it expands too far, or a row is too long. */
export class ConvertLimitError extends ConvertInputError {
  declare readonly details: ConvertErrorDetails & { limit: LimitName; limitBytes?: number };

  constructor(message: string, details: ConvertErrorDetails & { limit: LimitName; limitBytes?: number }) {
    super(message, details);
    this.name = 'ConvertLimitError';
  }
}

/**
 * A failed conversion of `path` as the ReconError its caller reports: INPUT_TOO_LARGE for a
 * limit, INPUT_PARSE_ERROR otherwise (as before limits existed), each naming the file first.
 */
export function conversionError(path: string, side: string, err: unknown): ReconError {
  const where = err instanceof ConvertInputError ? boundedDetails({ ...err.details, file: path }) : { file: path };
  const message = `${path}: ${clipText(err instanceof Error ? err.message : String(err), 2000)}`;
  return new ReconError(err instanceof ConvertLimitError ? 'INPUT_TOO_LARGE' : 'INPUT_PARSE_ERROR', message, { ...where, side });
}

/** Details cross IPC too: drop what is unknown, cut what the file spelled (a sheet name can be megabytes). */
function boundedDetails(o: object): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(o)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, typeof v === 'string' && k !== 'file' ? clipText(v) : v]),
  );
}
