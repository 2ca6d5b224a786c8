/**
 * A finished run's file opened for reason rules outside the run (the what-if
 * preview, drafts, the agreement report): read-only, with the breaks' history
 * rebuilt as the run had it (break memory, the previous run's reason, and the
 * decisions the workflow store holds on the previous run's breaks).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { existsSync } from 'node:fs';
import { openDuckDB, queryRows } from '../duckdb/open.ts';
import { ReconError } from '../errors/recon-error.ts';
import { RUN_TABLES } from '../run-file/schema.ts';
import { literal } from '../sql/quote.ts';
import { sql } from '../store/sql.ts';
import type { Store } from '../store/store.ts';
import { relationColumns } from './apply-run.ts';
import { compileReasonRules, type CompilableRule } from './compile-sql.ts';

/** A completed run of the registry with its file. */
export interface RegisteredRunFile {
  runId: string;
  definition: string;
  duckdbPath: string;
  finishedAt: string | null;
}

/** The run, by the registry; NOT_FOUND / RUN_NOT_FOUND when it has no file here. */
export function runFileOf(store: Store, runId: string): RegisteredRunFile {
  const r = store.read((tx) =>
    tx.get<{ run_id: string; definition_name: string; duckdb_path: string; finished_at: string | null; status: string }>(
      sql`SELECT run_id, definition_name, duckdb_path, finished_at, status FROM runs WHERE run_id = ${runId}`,
    ),
  );
  if (!r) throw new ReconError('RUN_NOT_FOUND', `no run ${runId} in this workspace (recon review and the Runs screen list them)`, { runId });
  if (r.status !== 'COMPLETED') throw new ReconError('INVALID_ARGUMENT', `run ${runId} is ${r.status}, not COMPLETED: it has no breaks to test rules on`, { runId });
  if (!existsSync(r.duckdb_path)) throw new ReconError('RUN_NOT_FOUND', `run ${runId}'s file ${r.duckdb_path} is not on this workstation (a run pulled from the team server has no file here)`, { runId });
  return { runId: r.run_id, definition: r.definition_name, duckdbPath: r.duckdb_path, finishedAt: r.finished_at };
}

/** The run and up to `recent` earlier completed runs of its definition that have a file here, newest first. */
export function seriesRunFiles(store: Store, runId: string, recent: number): RegisteredRunFile[] {
  const current = runFileOf(store, runId);
  const rows = store.read((tx) =>
    tx.all<{ run_id: string; duckdb_path: string; finished_at: string | null }>(
      sql`SELECT run_id, duckdb_path, finished_at FROM runs
           WHERE definition_name = ${current.definition} AND status = 'COMPLETED' AND run_id <> ${runId}
             AND (${current.finishedAt} IS NULL OR finished_at <= ${current.finishedAt})
           ORDER BY finished_at DESC, run_id DESC LIMIT ${Math.max(0, recent) * 3}`,
    ),
  );
  const earlier = rows.filter((r) => existsSync(r.duckdb_path)).slice(0, Math.max(0, recent));
  return [current, ...earlier.map((r) => ({ runId: r.run_id, definition: current.definition, duckdbPath: r.duckdb_path, finishedAt: r.finished_at }))];
}

/** An open run file for rules. */
export interface RuleRunContext {
  conn: DuckDBConnection;
  run: RegisteredRunFile;
  /** The attribution columns rules added (run-file version 2), absent in older files. */
  hasRuleColumns: boolean;
  hasAttributions: boolean;
  /** (break_id, idx) of every break the rules match, first rule wins. */
  matches(rules: readonly CompilableRule[]): Promise<{ select: string | null; unusable: (string | null)[] }>;
  close(): void;
}

const HISTORY = '__rules_history';

/** Opens a run's file read-only and rebuilds its breaks' history for rules. */
export async function openRuleRunContext(store: Store, run: RegisteredRunFile): Promise<RuleRunContext> {
  const db = await openDuckDB({ path: run.duckdbPath, readOnly: true });
  const conn = db.connection;
  try {
    const tables = new Set((await queryRows<{ t: string }>(conn, `SELECT table_name AS t FROM duckdb_tables() WHERE database_name = current_database()`)).map((r) => r.t));
    const attrCols = tables.has(RUN_TABLES.attributions) ? await relationColumns(conn, RUN_TABLES.attributions) : new Set<string>();
    let history: string | undefined;
    if (tables.has(RUN_TABLES.breakMemory)) {
      await buildHistory(store, conn, tables);
      history = `SELECT * FROM ${HISTORY}`;
    }
    const columnsA = await relationColumns(conn, RUN_TABLES.a);
    const columnsB = await relationColumns(conn, RUN_TABLES.b);
    return {
      conn,
      run,
      hasRuleColumns: attrCols.has('rule_id'),
      hasAttributions: tables.has(RUN_TABLES.attributions),
      matches: async (rules) => compileReasonRules(rules, { columnsA, columnsB, ...(history ? { history } : {}) }),
      close: () => db.close(),
    };
  } catch (err) {
    db.close();
    throw err;
  }
}

/**
 * History as the run saw it: lifecycle and age from break memory; the previous
 * reason as a decision on the previous break settled it (the store), else the
 * previous run's attribution when AUTO; whether the previous break was decided.
 */
async function buildHistory(store: Store, conn: DuckDBConnection, tables: Set<string>): Promise<void> {
  await conn.run(`CREATE OR REPLACE TEMP TABLE __prev_decided (break_id BIGINT, status VARCHAR, reason VARCHAR)`);
  await conn.run(`CREATE OR REPLACE TEMP TABLE __prev_attr (break_id BIGINT, reason VARCHAR, status VARCHAR)`);
  const prevId = tables.has(RUN_TABLES.seriesInfo)
    ? (await queryRows<{ p: string | null }>(conn, `SELECT previous_run_id AS p FROM ${RUN_TABLES.seriesInfo} LIMIT 1`))[0]?.p ?? null
    : null;
  if (prevId !== null) {
    const decided = store.read((tx) =>
      tx.all<{ break_id: number; status: string; reason: string | null }>(
        sql`SELECT break_id, status, reason FROM break_status WHERE run_id = ${prevId} AND status IN ('ACCEPTED', 'OVERRIDDEN', 'REJECTED', 'PROPOSED')`,
      ),
    );
    if (decided.length > 0) {
      const app = await conn.createAppender('__prev_decided');
      try {
        for (const d of decided) {
          app.appendBigInt(BigInt(d.break_id));
          app.appendVarchar(d.status);
          if (d.reason === null) app.appendNull();
          else app.appendVarchar(d.reason);
          app.endRow();
        }
      } finally {
        app.closeSync();
      }
    }
    const prevPath = store.read((tx) => tx.get<{ p: string }>(sql`SELECT duckdb_path AS p FROM runs WHERE run_id = ${prevId}`))?.p;
    if (prevPath && existsSync(prevPath)) {
      try {
        await conn.run(`ATTACH ${literal(prevPath)} AS __rules_prev (READ_ONLY)`);
        try {
          await conn.run(`INSERT INTO __prev_attr SELECT break_id, reason, status FROM __rules_prev.${RUN_TABLES.attributions}`);
        } finally {
          await conn.run(`DETACH __rules_prev`);
        }
      } catch {
        // An unreadable previous run: its reasons are unknown, as in the run itself (series/link.ts).
      }
    }
  }
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE ${HISTORY} AS
     SELECT m.break_id, m.lifecycle, m.age_runs,
            CASE WHEN m.lifecycle IN ('CARRIED', 'CHANGED')
                 THEN coalesce(CASE WHEN d.status IN ('ACCEPTED', 'OVERRIDDEN') THEN d.reason END, CASE WHEN p.status = 'AUTO' THEN p.reason END) END AS prev_reason,
            CASE WHEN m.lifecycle IN ('CARRIED', 'CHANGED') THEN d.break_id IS NOT NULL END AS prev_decided
       FROM ${RUN_TABLES.breakMemory} m
       LEFT JOIN __prev_decided d ON d.break_id = m.previous_break_id
       LEFT JOIN __prev_attr p ON p.break_id = m.previous_break_id`,
  );
}
