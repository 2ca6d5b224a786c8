/**
 * A run's DuckDB file opened read-only: the one way every reader (the grid,
 * reports, the workflow's break sources) opens it, with what readers need to
 * know about it (does it have attributions, is break_id 1..N). Queries on
 * one file run one at a time; the grid's views (sorted/filtered id lists)
 * are TEMP tables of this connection, cached by their signature. The TEMP
 * table `status_overlay` holds the run's decided statuses from the workflow
 * store (grid/status-overlay.ts keeps it current); views, windows and memos
 * depend on it and are dropped whenever it changes. So is the TEMP table
 * `reason_sla` (each reason code's SLA in days, from the store), and the TEMP
 * view `grid_memory` reads the file's `break_memory` (empty for a run from
 * before break memory: its breaks have no lifecycle and no age); the TEMP
 * view `grid_attributions` reads `attributions` with the reason rule columns
 * (NULL in a file from before reason rules) and the explanation in words.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { join, resolve } from 'node:path';
import { openDuckDB, queryOne, queryRows, type OpenDuckDB } from '../duckdb/open.ts';
import { ReconError } from '../errors/recon-error.ts';
import { ATTRIBUTION_COLUMNS_SQL, GRID_MEMORY, MEMORY_COLUMNS_SQL, REASON_SLA, RUN_TABLES, STATUS_OVERLAY } from './schema.ts';

const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** A run file's path in a workspace; the id must be a plain name, never a path. */
export function runFilePath(workspace: string, runId: string): string {
  if (!RUN_ID.test(runId) || runId.includes('..')) {
    throw new ReconError('INVALID_ARGUMENT', `"${runId}" is not a run id (letters, digits, ".", "_" and "-" only)`, { runId });
  }
  return join(resolve(workspace), 'runs', `${runId}.duckdb`);
}

/**
 * The TEMP view of a reader's connection over `attributions` with the reason
 * rule that gave each reason (rule_id, rule_name, rule_version) and what the
 * model said of such a break (rule_model_reason, _confidence, _status), NULL
 * in a run file from before reason rules (version 1); and the explanation in
 * words: the first `text` of `top_features` (a rule's own sentence for a
 * break a rule took). The grid reads attributions through it, so old and new
 * files read alike; DuckDB inlines the view, so a page still reads its range.
 */
export const GRID_ATTRIBUTIONS = 'grid_attributions';

/** The select list of GRID_ATTRIBUTIONS for the attribution columns the file has. */
function gridAttributionsSelect(names: ReadonlySet<string>): string {
  const rules = names.has('rule_id')
    ? 'rule_id, rule_name, rule_version, model_reason AS rule_model_reason, model_confidence AS rule_model_confidence, model_status AS rule_model_status'
    : 'NULL::VARCHAR AS rule_id, NULL::VARCHAR AS rule_name, NULL::INTEGER AS rule_version, NULL::VARCHAR AS rule_model_reason, NULL::DOUBLE AS rule_model_confidence, NULL::VARCHAR AS rule_model_status';
  const explanation = names.has('top_features') ? `list_filter(json_extract_string(top_features, '$[*].text'), x -> x IS NOT NULL)[1]` : 'NULL::VARCHAR';
  return `${ATTRIBUTION_COLUMNS_SQL.join(', ')}, ${rules}, ${explanation} AS explanation`;
}

export interface OpenRunFileOptions {
  runId: string;
  /** The file's identity when opened (mtime and size), for a cache to notice a rewrite. */
  stamp?: string;
  /** DuckDB's memory limit: the grid keeps views, a report reads each block once. */
  memoryLimit: string;
  tempDirectory?: string;
}

export interface ViewInfo {
  table: string;
  count: number;
}

/** Views kept per run; the oldest is dropped beyond this. */
const MAX_VIEWS = 4;
/** Windows (materialized rows of a view) kept per run: at most MAX_WINDOWS × WINDOW_ROWS rows. */
const MAX_WINDOWS = 12;

export class RunFile {
  readonly runId: string;
  /** The file's identity when opened (mtime and size): a rewrite means reopen. */
  readonly stamp: string;
  readonly hasAttributions: boolean;
  readonly hasTopFeatures: boolean;
  /** break_id runs 1..total with no gaps, so the default order pages by id range. */
  readonly contiguous: boolean;
  readonly total: number;
  readonly #db: OpenDuckDB;
  readonly #views = new Map<string, ViewInfo>();
  /** `<view table>:<window>` → table of that window's whole rows, most recently used last. */
  readonly #windows = new Map<string, string>();
  #queue: Promise<unknown> = Promise.resolve();
  #viewSeq = 0;
  /** Per-run caches of derived answers (facets...), dropped with the handle; keys starting 'overlay:' also when the decided statuses change. */
  readonly memo = new Map<string, unknown>();
  /** Identifies the decided statuses now in `status_overlay` ('' when empty). */
  overlayDigest = '';
  /** Rows in `status_overlay`. */
  overlaySize = 0;
  /** Identifies the SLAs now in `reason_sla` ('' when empty). */
  slaDigest = '';
  /** The file has break memory (`break_memory`): runs from before it have none. */
  readonly hasMemory: boolean;

  readonly path: string;
  /** The run's tables (and views), by name. */
  readonly tables: ReadonlySet<string>;

  private constructor(
    path: string,
    runId: string,
    stamp: string,
    db: OpenDuckDB,
    info: { tables: ReadonlySet<string>; attr: boolean; top: boolean; contiguous: boolean; total: number; memory: boolean },
  ) {
    this.path = path;
    this.tables = info.tables;
    this.runId = runId;
    this.stamp = stamp;
    this.#db = db;
    this.hasAttributions = info.attr;
    this.hasTopFeatures = info.top;
    this.contiguous = info.contiguous;
    this.total = info.total;
    this.hasMemory = info.memory;
  }

  /** Opens `path` read-only and inspects it; a file without a `breaks` table is RUN_NOT_FOUND. */
  static async open(path: string, opts: OpenRunFileOptions): Promise<RunFile> {
    const db = await openDuckDB({ path, readOnly: true, memoryLimit: opts.memoryLimit, ...(opts.tempDirectory ? { tempDirectory: opts.tempDirectory } : {}) });
    try {
      const c = db.connection;
      const tables = new Set((await queryRows<{ t: string }>(c, 'SELECT table_name AS t FROM duckdb_tables()')).map((r) => r.t));
      if (!tables.has(RUN_TABLES.breaks)) {
        throw new ReconError('RUN_NOT_FOUND', `${path}: not a completed run (no ${RUN_TABLES.runInfo} or ${RUN_TABLES.breaks} table)`, { runId: opts.runId, file: path });
      }
      const cols = await queryRows<{ column_name: string }>(
        c,
        `SELECT column_name FROM duckdb_columns() WHERE database_name = current_database() AND schema_name = 'main' AND table_name = '${RUN_TABLES.attributions}'`,
      );
      const names = new Set(cols.map((r) => r.column_name));
      const attr = ATTRIBUTION_COLUMNS_SQL.every((n) => names.has(n));
      const stats = await queryOne<{ n: string; lo: string | null; hi: string | null }>(
        c,
        `SELECT count(*) AS n, min(break_id) AS lo, max(break_id) AS hi FROM ${RUN_TABLES.breaks}`,
      );
      const total = Number(stats.n);
      const contiguous = total === 0 || (Number(stats.lo) === 1 && Number(stats.hi) === total);
      await c.run(`CREATE TEMP TABLE ${STATUS_OVERLAY} (break_id BIGINT PRIMARY KEY, status VARCHAR NOT NULL, reason VARCHAR)`);
      await c.run(`CREATE TEMP TABLE ${REASON_SLA} (reason VARCHAR PRIMARY KEY, sla_days INTEGER NOT NULL)`);
      if (attr) await c.run(`CREATE TEMP VIEW ${GRID_ATTRIBUTIONS} AS SELECT ${gridAttributionsSelect(names)} FROM ${RUN_TABLES.attributions}`);
      const memory = await hasMemoryTable(c, tables);
      await c.run(
        memory
          ? `CREATE TEMP VIEW ${GRID_MEMORY} AS SELECT ${MEMORY_COLUMNS_SQL.join(', ')} FROM ${RUN_TABLES.breakMemory}`
          : `CREATE TEMP VIEW ${GRID_MEMORY} AS SELECT NULL::BIGINT AS break_id, NULL::VARCHAR AS lifecycle, NULL::VARCHAR AS first_seen_run, NULL::DATE AS first_seen_as_of,
                    NULL::INTEGER AS age_runs, NULL::INTEGER AS age_days, NULL::BIGINT AS previous_break_id WHERE false`,
      );
      return new RunFile(path, opts.runId, opts.stamp ?? '', db, { tables, attr, top: attr && names.has('top_features'), contiguous, total, memory });
    } catch (err) {
      db.close();
      throw err;
    }
  }

  /**
   * The connection itself, for a reader that has the file to itself (a
   * report on its worker thread); a shared handle goes through run().
   */
  get connection(): DuckDBConnection {
    return this.#db.connection;
  }

  /** Runs `fn` after every earlier query on this file has finished. */
  run<T>(fn: (c: DuckDBConnection) => Promise<T>): Promise<T> {
    const next = this.#queue.then(() => fn(this.#db.connection));
    this.#queue = next.catch(() => undefined);
    return next;
  }

  /** The cached view for `signature`, or builds it with `create(table)` and counts it. */
  async view(signature: string, create: (table: string) => Promise<void>): Promise<ViewInfo> {
    const hit = this.#views.get(signature);
    if (hit !== undefined) {
      // Most recently used last.
      this.#views.delete(signature);
      this.#views.set(signature, hit);
      return hit;
    }
    const table = `grid_view_${++this.#viewSeq}`;
    await create(table);
    const { n } = await queryOne<{ n: string }>(this.#db.connection, `SELECT count(*) AS n FROM ${table}`);
    const info = { table, count: Number(n) };
    this.#views.set(signature, info);
    while (this.#views.size > MAX_VIEWS) {
      const [oldSig, old] = this.#views.entries().next().value as [string, ViewInfo];
      this.#views.delete(oldSig);
      await this.#db.connection.run(`DROP TABLE IF EXISTS ${old.table}`);
      for (const [key, table] of this.#windows) {
        if (key.startsWith(`${old.table}:`)) {
          this.#windows.delete(key);
          await this.#db.connection.run(`DROP TABLE IF EXISTS ${table}`);
        }
      }
    }
    return info;
  }

  /**
   * The table holding window `w` of a view with whole rows, built with
   * `create(table)` on first use. Joining a page of scattered ids back to a
   * million breaks costs a scan; a window pays it once for many pages.
   */
  async window(viewTable: string, w: number, create: (table: string) => Promise<void>): Promise<string> {
    const key = `${viewTable}:${w}`;
    const hit = this.#windows.get(key);
    if (hit !== undefined) {
      this.#windows.delete(key);
      this.#windows.set(key, hit);
      return hit;
    }
    const table = `${viewTable}_w${w}`;
    await create(table);
    this.#windows.set(key, table);
    while (this.#windows.size > MAX_WINDOWS) {
      const [oldKey, old] = this.#windows.entries().next().value as [string, string];
      this.#windows.delete(oldKey);
      await this.#db.connection.run(`DROP TABLE IF EXISTS ${old}`);
    }
    return table;
  }

  /**
   * Replaces the decided statuses. Every cached view and window (they may
   * sort, filter or hold the old ones) and every 'overlay:' memo is dropped.
   */
  replaceOverlay(rows: readonly { break_id: number; status: string; reason: string | null }[], digest: string): Promise<void> {
    return this.run(async (c) => {
      await c.run(`DELETE FROM ${STATUS_OVERLAY}`);
      if (rows.length > 0) {
        // One JSON parameter instead of N statements; decided breaks are few.
        await c.run(
          `INSERT INTO ${STATUS_OVERLAY} SELECT unnest(from_json($1::JSON, '[{"break_id":"BIGINT","status":"VARCHAR","reason":"VARCHAR"}]'), recursive := true)`,
          [JSON.stringify(rows)],
        );
      }
      await this.#dropDerived(c);
      this.overlayDigest = digest;
      this.overlaySize = rows.length;
    });
  }

  /**
   * Replaces the reason codes' SLAs (days). Views, windows and 'overlay:' memos
   * may sort, filter or hold the days past SLA, so they are dropped as well.
   */
  replaceSla(rows: readonly { reason: string; sla_days: number }[], digest: string): Promise<void> {
    return this.run(async (c) => {
      await c.run(`DELETE FROM ${REASON_SLA}`);
      if (rows.length > 0) {
        await c.run(
          `INSERT INTO ${REASON_SLA} SELECT unnest(from_json($1::JSON, '[{"reason":"VARCHAR","sla_days":"INTEGER"}]'), recursive := true)`,
          [JSON.stringify(rows)],
        );
      }
      await this.#dropDerived(c);
      this.slaDigest = digest;
    });
  }

  /** Drops every cached view and window and every 'overlay:' memo: what the decided statuses or SLAs went into. */
  async #dropDerived(c: DuckDBConnection): Promise<void> {
    for (const table of [...this.#windows.values(), ...[...this.#views.values()].map((v) => v.table)]) await c.run(`DROP TABLE IF EXISTS ${table}`);
    this.#windows.clear();
    this.#views.clear();
    for (const key of [...this.memo.keys()]) if (key.startsWith('overlay:')) this.memo.delete(key);
  }

  /** Closes the file now, for a handle of one reader with nothing queued (a report, the CLI). */
  closeNow(): void {
    this.#db.close();
  }

  /** Closes the file once queued queries are done. */
  async close(): Promise<void> {
    await this.#queue;
    this.#db.close();
  }
}

/** Whether the file has a `break_memory` table with every column a reader needs. */
async function hasMemoryTable(c: DuckDBConnection, tables: ReadonlySet<string>): Promise<boolean> {
  if (!tables.has(RUN_TABLES.breakMemory)) return false;
  const cols = await queryRows<{ column_name: string }>(
    c,
    `SELECT column_name FROM duckdb_columns() WHERE database_name = current_database() AND schema_name = 'main' AND table_name = '${RUN_TABLES.breakMemory}'`,
  );
  const names = new Set(cols.map((r) => r.column_name));
  return MEMORY_COLUMNS_SQL.every((n) => names.has(n));
}
