import { ReconError } from '../errors/recon-error.ts';

/** A flag a subcommand cannot do without: its value, else INVALID_ARGUMENT naming it ("missing --run"). */
export function need(value: string | undefined, flag: string): string {
  if (!value) throw new ReconError('INVALID_ARGUMENT', `missing ${flag}`);
  return value;
}
