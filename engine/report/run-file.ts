import type { DuckDBConnection } from '@duckdb/node-api';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { DefinitionInput } from '../definition/schema.ts';
import { openDuckDB, queryRows, type OpenDuckDB } from '../duckdb/open.ts';
import { ReconError } from '../errors/recon-error.ts';
import type { RunSummary } from '../run/run-recon.ts';

/**
 * A finished run's DuckDB file, opened read-only for reporting: its summary
 * and definition (from `run_info`) and whether attribution ran. Reports read
 * everything else with SQL on `conn`; nothing is ever written here.
 */
export interface RunFile {
  runId: string;
  workspace: string;
  path: string;
  conn: DuckDBConnection;
  /** The run's summary.json; older or synthetic runs may lack attribution and gate. */
  summary: RunSummary;
  definition: DefinitionInput;
  hasAttributions: boolean;
  close(): void;
}

const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** The run database's path; the id must be a plain name, never a path. */
export function runDbPath(workspace: string, runId: string): string {
  if (!RUN_ID.test(runId) || runId.includes('..')) {
    throw new ReconError('INVALID_ARGUMENT', `"${runId}" is not a run id (letters, digits, ".", "_" and "-" only)`, { runId });
  }
  return join(resolve(workspace), 'runs', `${runId}.duckdb`);
}

/** Opens a run for reporting, or fails with RUN_NOT_FOUND naming the file it looked for. */
export async function openRunFile(workspace: string, runId: string): Promise<RunFile> {
  const path = runDbPath(workspace, runId);
  if (!existsSync(path)) {
    throw new ReconError('RUN_NOT_FOUND', `run "${runId}" not found: ${path} does not exist (see "recon run" or the runs list)`, { runId, file: path });
  }
  let db: OpenDuckDB;
  try {
    // A report reads each block once; a small cache keeps a big run from filling memory with it.
    db = await openDuckDB({ path, readOnly: true, memoryLimit: '256MB' });
  } catch (err) {
    throw new ReconError('RUN_NOT_FOUND', `${path}: cannot be opened as a run database (${(err as Error).message.split('\n')[0]})`, { runId, file: path });
  }
  try {
    const tables = new Set((await queryRows<{ t: string }>(db.connection, 'SELECT table_name AS t FROM duckdb_tables()')).map((r) => r.t));
    if (!tables.has('run_info') || !tables.has('breaks')) {
      throw new ReconError('RUN_NOT_FOUND', `${path}: not a completed run (no run_info or breaks table)`, { runId, file: path });
    }
    const [info] = await queryRows<{ definition: string; summary: string }>(
      db.connection,
      'SELECT CAST(definition AS VARCHAR) AS definition, CAST(summary AS VARCHAR) AS summary FROM run_info LIMIT 1',
    );
    if (!info) throw new ReconError('RUN_NOT_FOUND', `${path}: run_info is empty`, { runId, file: path });
    return {
      runId,
      workspace: resolve(workspace),
      path,
      conn: db.connection,
      summary: JSON.parse(info.summary) as RunSummary,
      definition: JSON.parse(info.definition) as DefinitionInput,
      hasAttributions: tables.has('attributions'),
      close: () => db.close(),
    };
  } catch (err) {
    db.close();
    throw err;
  }
}
