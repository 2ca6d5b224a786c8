/**
 * The runs registry. The host records a run's start before the worker begins
 * and its end after; each call is one transaction with its audit event.
 * Starting a run needs no role: it reads files the OS account can read anyway.
 */
import { ReconError } from '../errors/recon-error.ts';
import { appendAuditEvent } from '../store/audit-log.ts';
import { canonicalJson, toJsonSafe } from '../store/canonical-json.ts';
import { sql } from '../store/sql.ts';
import type { Store, WriteTx } from '../store/store.ts';
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
}

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
    tx.run(sql`INSERT INTO runs (run_id, definition_name, definition_version, duckdb_path, definition_snapshot, inputs, status, started_by, started_at)
      VALUES (${run.runId}, ${run.definition.name}, ${run.definitionVersion ?? null}, ${run.duckdbPath}, ${canonicalJson(definition)},
              ${canonicalJson(inputs)}, 'RUNNING', ${actor.userId}, ${tx.now})`);
    appendAuditEvent(tx, {
      actor: actor.userId,
      action: 'run.started',
      target: `run:${run.runId}`,
      before: null,
      after: { status: 'RUNNING', definition_name: run.definition.name, definition_version: run.definitionVersion ?? null, definition, inputs, duckdb_path: run.duckdbPath },
    });
  });
}

/** Marks a RUNNING run COMPLETED with its summary (audit: run.completed). */
export function recordRunCompleted(store: Store, actor: Identity, runId: string, summary: unknown): void {
  const safe = toJsonSafe(summary);
  store.write((tx) => {
    finish(tx, runId, 'COMPLETED');
    tx.run(sql`UPDATE runs SET status = 'COMPLETED', summary = ${canonicalJson(safe)}, finished_at = ${tx.now} WHERE run_id = ${runId}`);
    appendAuditEvent(tx, { actor: actor.userId, action: 'run.completed', target: `run:${runId}`, before: { status: 'RUNNING' }, after: { status: 'COMPLETED', summary: safe } });
  });
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
