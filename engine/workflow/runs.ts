/**
 * The runs registry. The host records a run's start before the worker begins
 * and its end after; each call is one transaction with its audit event.
 * Starting a run needs no role: it reads files the OS account can read anyway.
 */
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { ReconError } from '../errors/recon-error.ts';
import { appendAuditEvent } from '../store/audit-log.ts';
import { canonicalJson, toJsonSafe } from '../store/canonical-json.ts';
import { sql } from '../store/sql.ts';
import type { ReadTx, Store, WriteTx } from '../store/store.ts';
import { carryDecisions, type CarriedDecision } from './carry.ts';
import type { Identity } from './identity.ts';

/** One input file of a run (SourceFileInfo fits; extra fields are kept). */
export interface RunInputFile {
  path: string;
  sha256: string;
  bytes?: number;
}

/** What recordRunStarted needs. */
export interface RunStart {
  runId: string;
  /** The definition as used (a snapshot; floats are stored as decimal strings). */
  definition: { name: string } & Record<string, unknown>;
  /** The stored version, when the definition came from the store. */
  definitionVersion?: number | null;
  duckdbPath: string;
  inputs: { a: RunInputFile; b: RunInputFile };
  /** The process that runs it (default: this one), so a later host can tell a crashed run from a live one. */
  owner?: RunOwner;
}

/** A machine and a process id. */
export interface RunOwner {
  host: string;
  pid: number;
}

export const thisProcess = (): RunOwner => ({ host: hostname(), pid: process.pid });

export type RunStatus = 'RUNNING' | 'COMPLETED' | 'FAILED';

/** A registry row. JSON columns are parsed. */
export interface RunRecord {
  runId: string;
  definitionName: string;
  definitionVersion: number | null;
  duckdbPath: string;
  definition: unknown;
  inputs: unknown;
  summary: unknown;
  status: RunStatus;
  startedBy: string;
  startedAt: string;
  finishedAt: string | null;
  error: unknown;
}

/** Registers a run as RUNNING (audit: run.started). */
export function recordRunStarted(store: Store, actor: Identity, run: RunStart): void {
  const definition = toJsonSafe(run.definition);
  const inputs = toJsonSafe(run.inputs);
  store.write((tx) => {
    if (tx.get(sql`SELECT 1 AS x FROM runs WHERE run_id = ${run.runId}`)) throw new ReconError('INVALID_ARGUMENT', `run ${run.runId} is already registered`);
    const owner = run.owner ?? thisProcess();
    tx.run(sql`INSERT INTO runs (run_id, definition_name, definition_version, duckdb_path, definition_snapshot, inputs, status, started_by, started_at, owner_host, owner_pid)
      VALUES (${run.runId}, ${run.definition.name}, ${run.definitionVersion ?? null}, ${run.duckdbPath}, ${canonicalJson(definition)},
              ${canonicalJson(inputs)}, 'RUNNING', ${actor.userId}, ${tx.now}, ${owner.host}, ${owner.pid})`);
    appendAuditEvent(tx, {
      actor: actor.userId,
      action: 'run.started',
      target: `run:${run.runId}`,
      before: null,
      after: { status: 'RUNNING', definition_name: run.definition.name, definition_version: run.definitionVersion ?? null, definition, inputs, duckdb_path: run.duckdbPath },
    });
  });
}

/**
 * Marks a RUNNING run COMPLETED with its summary (audit: run.completed) and,
 * in the same transaction, carries the previous run's decisions to it (audit:
 * breaks.carried; workflow/carry.ts), so a completed run never lacks them.
 */
export function recordRunCompleted(store: Store, actor: Identity, runId: string, summary: unknown, carry?: { fromRunId: string; carried: readonly CarriedDecision[] }): void {
  const safe = toJsonSafe(summary);
  store.write((tx) => {
    finish(tx, runId, 'COMPLETED');
    tx.run(sql`UPDATE runs SET status = 'COMPLETED', summary = ${canonicalJson(safe)}, finished_at = ${tx.now} WHERE run_id = ${runId}`);
    appendAuditEvent(tx, { actor: actor.userId, action: 'run.completed', target: `run:${runId}`, before: { status: 'RUNNING' }, after: { status: 'COMPLETED', summary: safe } });
    if (carry) carryDecisions(tx, actor, runId, carry.fromRunId, carry.carried);
  });
}

/**
 * The series' previous run for a run the host is about to start: the last
 * completed run of the definition in the registry whose file is on this
 * machine (a run pulled from another device has its file there). With no
 * definition (a workspace-wide reason rule's what-if), of any definition.
 */
export function previousRunInRegistry(tx: ReadTx, definitionName: string | null): { runId: string; duckdbPath: string } | undefined {
  const rows = tx.all<{ run_id: string; duckdb_path: string }>(
    sql`SELECT run_id, duckdb_path FROM runs WHERE (${definitionName} IS NULL OR definition_name = ${definitionName}) AND status = 'COMPLETED'
         ORDER BY finished_at DESC, run_id DESC LIMIT 50`,
  );
  const found = rows.find((r) => existsSync(r.duckdb_path));
  return found && { runId: found.run_id, duckdbPath: found.duckdb_path };
}

/** Marks a RUNNING run FAILED with its error data (audit: run.failed). */
export function recordRunFailed(store: Store, actor: Identity, runId: string, error: { code: string; message: string; details?: unknown }): void {
  const safe = toJsonSafe(error);
  store.write((tx) => {
    finish(tx, runId, 'FAILED');
    tx.run(sql`UPDATE runs SET status = 'FAILED', error = ${canonicalJson(safe)}, finished_at = ${tx.now} WHERE run_id = ${runId}`);
    appendAuditEvent(tx, { actor: actor.userId, action: 'run.failed', target: `run:${runId}`, before: { status: 'RUNNING' }, after: { status: 'FAILED', error: safe } });
  });
}

/** A RUNNING run whose process is gone, as sweepAbandonedRuns found it. */
export interface AbandonedRun {
  runId: string;
  duckdbPath: string;
  owner: RunOwner | null;
}

/** Runs registered before owners were recorded count as abandoned once they have been RUNNING this long. */
const UNOWNED_STALE_MS = 24 * 60 * 60 * 1000;

/** True when a process of this machine with that id exists (EPERM: it exists but belongs to another account). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Marks FAILED every RUNNING run whose process is gone: its owner is a
 * process of this machine that no longer exists (a run owned by another
 * machine, or by a live process, is left alone; a PID reused since only keeps
 * a run RUNNING, never fails a live one). Each gets a run.failed audit event
 * saying so. Returns the runs it marked, for the caller to remove their
 * partial files.
 */
export function sweepAbandonedRuns(store: Store, actor: Identity, opts: { host?: string; alive?: (pid: number) => boolean; now?: number } = {}): AbandonedRun[] {
  const host = opts.host ?? hostname();
  const alive = opts.alive ?? processAlive;
  const now = opts.now ?? Date.now();
  const running = store.read((tx) =>
    tx.all<{ run_id: string; duckdb_path: string; started_at: string; owner_host: string | null; owner_pid: number | null }>(
      sql`SELECT run_id, duckdb_path, started_at, owner_host, owner_pid FROM runs WHERE status = 'RUNNING' AND duckdb_path NOT LIKE 'remote:%'`,
    ),
  );
  const out: AbandonedRun[] = [];
  for (const r of running) {
    const owner = r.owner_host !== null && r.owner_pid !== null ? { host: r.owner_host, pid: r.owner_pid } : null;
    const gone = owner ? owner.host === host && owner.pid !== process.pid && !alive(owner.pid) : now - Date.parse(r.started_at) > UNOWNED_STALE_MS;
    if (!gone) continue;
    const message = owner
      ? `the process that ran it (pid ${owner.pid} on ${owner.host}) stopped before it finished (a crash, a kill or a power cut); start the run again`
      : 'it was still RUNNING a day after it started, from a version that did not record its process; start the run again';
    try {
      recordRunFailed(store, actor, r.run_id, { code: 'INTERNAL_ERROR', message, details: { abandoned: true, owner } });
      out.push({ runId: r.run_id, duckdbPath: r.duckdb_path, owner });
    } catch (err) {
      // Another host finished or swept it meanwhile: nothing to do.
      if (!(err instanceof ReconError && err.code === 'ILLEGAL_TRANSITION')) throw err;
    }
  }
  return out;
}

function finish(tx: WriteTx, runId: string, to: RunStatus): void {
  const row = tx.get<{ status: RunStatus }>(sql`SELECT status FROM runs WHERE run_id = ${runId}`);
  if (!row) throw new ReconError('RUN_NOT_FOUND', `run ${runId} is not registered in this workspace`, { runId });
  if (row.status !== 'RUNNING') throw new ReconError('ILLEGAL_TRANSITION', `run ${runId} is ${row.status}, not RUNNING: cannot mark it ${to}`, { from: row.status, to });
}

interface RunRow {
  run_id: string;
  definition_name: string;
  definition_version: number | null;
  duckdb_path: string;
  definition_snapshot: string;
  inputs: string;
  summary: string | null;
  status: RunStatus;
  started_by: string;
  started_at: string;
  finished_at: string | null;
  error: string | null;
}

const parse = (s: string | null): unknown => (s === null ? null : JSON.parse(s));

function toRecord(r: RunRow): RunRecord {
  return {
    runId: r.run_id,
    definitionName: r.definition_name,
    definitionVersion: r.definition_version,
    duckdbPath: r.duckdb_path,
    definition: parse(r.definition_snapshot),
    inputs: parse(r.inputs),
    summary: parse(r.summary),
    status: r.status,
    startedBy: r.started_by,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    error: parse(r.error),
  };
}

/** One run, or RUN_NOT_FOUND. */
export function getRun(store: Store, runId: string): RunRecord {
  const row = store.read((tx) => tx.get<RunRow>(sql`SELECT * FROM runs WHERE run_id = ${runId}`));
  if (!row) throw new ReconError('RUN_NOT_FOUND', `run ${runId} is not registered in this workspace`, { runId });
  return toRecord(row);
}

/** The newest runs first. */
export function listRuns(store: Store, limit = 100): RunRecord[] {
  return store.read((tx) => tx.all<RunRow>(sql`SELECT * FROM runs ORDER BY started_at DESC, run_id DESC LIMIT ${limit}`)).map(toRecord);
}
