import { randomBytes } from 'node:crypto';

/**
 * A new run id: sortable by time, unique by a random suffix. In a module of
 * its own so a host can name a run without loading the engine (DuckDB and
 * the rest of run-recon.ts load in the run worker).
 */
export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}
