import type { DuckDBConnection } from '@duckdb/node-api';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { DefinitionInput } from '../definition/schema.ts';
import { ReconError } from '../errors/recon-error.ts';
import type { RunSummary } from '../run/run-recon.ts';
import { RunFile, runFilePath } from './run-file.ts';
import { readRunInfoText } from './run-info.ts';
import { RUN_TABLES } from './schema.ts';

/**
 * A finished run's file opened read-only for one reader that has it to
 * itself (a report, an export): its summary and definition (from `run_info`)
 * and whether attribution ran. Reports read everything else with SQL on
 * `conn`; nothing is ever written here.
 */
export interface FinishedRun {
  runId: string;
  workspace: string;
  path: string;
  file: RunFile;
  conn: DuckDBConnection;
  /** The run's summary.json; older or synthetic runs may lack attribution and gate. */
  summary: RunSummary;
  definition: DefinitionInput;
  hasAttributions: boolean;
  close(): void;
}

/** Opens a finished run, or fails with RUN_NOT_FOUND naming the file it looked for. */
export async function openFinishedRun(workspace: string, runId: string): Promise<FinishedRun> {
  const path = runFilePath(workspace, runId);
  if (!existsSync(path)) {
    throw new ReconError('RUN_NOT_FOUND', `run "${runId}" not found: ${path} does not exist (see "recon run" or the runs list)`, { runId, file: path });
  }
  let file: RunFile;
  try {
    // A report reads each block once; a small cache keeps a big run from filling memory with it.
    file = await RunFile.open(path, { runId, memoryLimit: '256MB' });
  } catch (err) {
    if (err instanceof ReconError) throw err;
    throw new ReconError('RUN_NOT_FOUND', `${path}: cannot be opened as a run database (${(err as Error).message.split('\n')[0]})`, { runId, file: path });
  }
  try {
    if (!file.tables.has(RUN_TABLES.runInfo)) {
      throw new ReconError('RUN_NOT_FOUND', `${path}: not a completed run (no ${RUN_TABLES.runInfo} or ${RUN_TABLES.breaks} table)`, { runId, file: path });
    }
    const info = await readRunInfoText(file.connection);
    if (!info) throw new ReconError('RUN_NOT_FOUND', `${path}: ${RUN_TABLES.runInfo} is empty`, { runId, file: path });
    return {
      runId,
      workspace: resolve(workspace),
      path,
      file,
      conn: file.connection,
      summary: JSON.parse(info.summary ?? 'null') as RunSummary,
      definition: JSON.parse(info.definition ?? 'null') as DefinitionInput,
      hasAttributions: file.hasAttributions,
      close: () => file.closeNow(),
    };
  } catch (err) {
    file.closeNow();
    throw err;
  }
}
