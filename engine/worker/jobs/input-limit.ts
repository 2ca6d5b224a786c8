import { ReconError, toErrorData } from '../../errors/recon-error.ts';

/**
 * A task's failure as data. DuckDB running out of its memory limit on what a
 * person gave it (a file that is not what it claims, a sample far too wide)
 * is a limit of the input, said as INPUT_TOO_LARGE, not an internal error.
 */
export function asInputLimit(noun: string, err: unknown): unknown {
  const data = toErrorData(err);
  if (data.code === 'INTERNAL_ERROR' && /^Out of Memory Error/.test(data.message)) {
    return new ReconError('INPUT_TOO_LARGE', `the ${noun} ran out of memory on these inputs (${data.message.split('\n')[0]}); check that each file is the data file it should be`);
  }
  return err;
}
