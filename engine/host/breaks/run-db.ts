/**
 * A run's DuckDB file opened read-only for the grid, with what paging needs
 * to know about it (does it have attributions, is break_id 1..N). Queries on
 * one file run one at a time; views (sorted/filtered id lists) are TEMP
 * tables of this connection, cached by their signature. The TEMP table
 * `status_overlay` holds the run's decided statuses from the workflow store
 * (status-overlay.ts keeps it current); views, windows and memos depend on it
 * and are dropped whenever it changes.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { openDuckDB, queryOne, queryRows, type OpenDuckDB } from '../../duckdb/open.ts';

export interface ViewInfo {
  table: string;
  count: number;
}

/** Views kept per run; the oldest is dropped beyond this. */
const MAX_VIEWS = 4;
/** Windows (materialized rows of a view) kept per run: at most MAX_WINDOWS × WINDOW_ROWS rows. */
const MAX_WINDOWS = 12;

export class RunDb {
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

  private constructor(runId: string, stamp: string, db: OpenDuckDB, info: { attr: boolean; top: boolean; contiguous: boolean; total: number }) {
    this.runId = runId;
    this.stamp = stamp;
    this.#db = db;
    this.hasAttributions = info.attr;
    this.hasTopFeatures = info.top;
    this.contiguous = info.contiguous;
    this.total = info.total;
  }

  /** Opens `path` read-only and inspects it. */
  static async open(runId: string, path: string, stamp: string, tempDirectory: string): Promise<RunDb> {
    // A reader needs little memory: pages are small and views are two BIGINT columns.
    const db = await openDuckDB({ path, readOnly: true, memoryLimit: '1GB', tempDirectory });
    try {
      const c = db.connection;
      const cols = await queryRows<{ column_name: string }>(
        c,
        `SELECT column_name FROM duckdb_columns() WHERE database_name = current_database() AND schema_name = 'main' AND table_name = 'attributions'`,
      );
      const names = new Set(cols.map((r) => r.column_name));
      const attr = ['break_id', 'reason', 'confidence', 'status', 'suggested_reason'].every((n) => names.has(n));
      const stats = await queryOne<{ n: string; lo: string | null; hi: string | null }>(c, 'SELECT count(*) AS n, min(break_id) AS lo, max(break_id) AS hi FROM breaks');
      const total = Number(stats.n);
      const contiguous = total === 0 || (Number(stats.lo) === 1 && Number(stats.hi) === total);
      await c.run('CREATE TEMP TABLE status_overlay (break_id BIGINT PRIMARY KEY, status VARCHAR NOT NULL, reason VARCHAR)');
      return new RunDb(runId, stamp, db, { attr, top: attr && names.has('top_features'), contiguous, total });
    } catch (err) {
      db.close();
      throw err;
    }
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
      await c.run('DELETE FROM status_overlay');
      if (rows.length > 0) {
        // One JSON parameter instead of N statements; decided breaks are few.
        await c.run(
          `INSERT INTO status_overlay SELECT unnest(from_json($1::JSON, '[{"break_id":"BIGINT","status":"VARCHAR","reason":"VARCHAR"}]'), recursive := true)`,
          [JSON.stringify(rows)],
        );
      }
      for (const table of [...this.#windows.values(), ...[...this.#views.values()].map((v) => v.table)]) await c.run(`DROP TABLE IF EXISTS ${table}`);
      this.#windows.clear();
      this.#views.clear();
      for (const key of [...this.memo.keys()]) if (key.startsWith('overlay:')) this.memo.delete(key);
      this.overlayDigest = digest;
      this.overlaySize = rows.length;
    });
  }

  /** Closes the file once queued queries are done. */
  async close(): Promise<void> {
    await this.#queue;
    this.#db.close();
  }
}
