import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ReconError } from '../errors/recon-error.ts';

/**
 * A series is the runs of one definition in a workspace, by the definition's
 * name (not by file path: the same definition run every morning on that day's
 * files is one series). Every completed run writes `runs/<run-id>.json`, so
 * these summaries are the series' index; a run's own summary is written only
 * when it completes, so it never finds itself.
 */
export interface PreviousRun {
  runId: string;
  /** Its run file, `runs/<run-id>.duckdb`. */
  database: string;
  /** Its start time (ISO): the as-of date of a run file older than break memory. */
  startedAt: string;
}

interface SummaryFile {
  runId?: unknown;
  definition?: unknown;
  status?: unknown;
  database?: unknown;
  startedAt?: unknown;
  finishedAt?: unknown;
}

async function readSummary(dir: string, runId: string): Promise<SummaryFile | undefined> {
  try {
    return JSON.parse(await readFile(join(dir, `${runId}.json`), 'utf8')) as SummaryFile;
  } catch {
    // A summary being written or damaged is no previous run.
    return undefined;
  }
}

function asPrevious(runId: string, s: SummaryFile | undefined): PreviousRun | undefined {
  if (s?.status !== 'COMPLETED' || typeof s.database !== 'string' || !existsSync(s.database)) return undefined;
  return { runId, database: s.database, startedAt: typeof s.startedAt === 'string' ? s.startedAt : '' };
}

/**
 * The series' run that completed last, other than `currentRunId`, whose file
 * still exists. By finish time, not run id: ids have one-second resolution,
 * and two runs of a small file can start in the same second.
 */
export async function findPreviousRun(workspace: string, series: string, currentRunId: string): Promise<PreviousRun | undefined> {
  const dir = join(workspace, 'runs');
  if (!existsSync(dir)) return undefined;
  const ids = (await readdir(dir)).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -'.json'.length));
  let best: { previous: PreviousRun; finishedAt: string } | undefined;
  for (const id of ids) {
    if (id === currentRunId) continue;
    const s = await readSummary(dir, id);
    if (s?.definition !== series) continue;
    const previous = asPrevious(id, s);
    const finishedAt = typeof s.finishedAt === 'string' ? s.finishedAt : '';
    if (previous && (!best || finishedAt > best.finishedAt || (finishedAt === best.finishedAt && id > best.previous.runId))) best = { previous, finishedAt };
  }
  return best?.previous;
}

/** `recon run --previous RUN`: a named run, which must have completed in this workspace and still have its file. */
export async function namedPreviousRun(workspace: string, runId: string): Promise<PreviousRun> {
  if (!/^[A-Za-z0-9._-]+$/.test(runId)) throw new ReconError('RUN_NOT_FOUND', `--previous: "${runId.slice(0, 80)}" is not a run id`);
  const s = await readSummary(join(workspace, 'runs'), runId);
  const previous = asPrevious(runId, s);
  if (!previous) {
    throw new ReconError(
      'RUN_NOT_FOUND',
      s === undefined
        ? `--previous: no run ${runId} in workspace ${workspace}`
        : `--previous: run ${runId} did not complete, or its file ${String(s.database)} is gone; only a completed run can be the previous run`,
    );
  }
  return previous;
}
