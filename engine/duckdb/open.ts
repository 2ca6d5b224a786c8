import { chmodSync } from 'node:fs';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { ReconError } from '../errors/recon-error.ts';
import { literal } from '../sql/quote.ts';

/**
 * Opens DuckDB with the settings every run needs: never touch the network
 * (no extension auto-install/load), a memory limit so large runs spill to
 * disk instead of growing, and an explicit temp directory for the spill.
 */
export interface OpenOptions {
  /** File path, or ':memory:' for tests. */
  path: string;
  /** e.g. '1GB'. Default: DuckDB's own (80% of RAM), capped by RECON_DUCKDB_MEMORY_LIMIT. */
  memoryLimit?: string;
  tempDirectory?: string;
  threads?: number;
  /** Open an existing file read-only: several readers, and no accidental writes. */
  readOnly?: boolean;
}

export interface OpenDuckDB {
  instance: DuckDBInstance;
  connection: DuckDBConnection;
  /**
   * Drops from memory the blocks DuckDB keeps cached after writing them, by lowering
   * its memory limit for a moment and setting it back: clean blocks of the file cost
   * nothing to drop and are read again if a later statement needs them. A run calls it
   * between staging side A and side B: A's cached table was ~0.3 GB of the 1.7 GB peak
   * of a 1M-row, 60-column run, and nothing reads it until the diff.
   */
  dropCachedBlocks(): Promise<void>;
  close(): void;
}

/** The memory limit set for a moment by dropCachedBlocks. */
const CACHE_DROP_LIMIT = '64MB';

export async function openDuckDB(opts: OpenOptions): Promise<OpenDuckDB> {
  const config: Record<string, string> = {
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
    // Insertion order is how rowid maps back to a record's position in its file.
    preserve_insertion_order: 'true',
  };
  const memoryLimit = opts.memoryLimit ?? process.env['RECON_DUCKDB_MEMORY_LIMIT'];
  if (memoryLimit) config['memory_limit'] = memoryLimit;
  if (opts.tempDirectory) config['temp_directory'] = opts.tempDirectory;
  if (opts.threads) config['threads'] = String(opts.threads);
  if (opts.readOnly) config['access_mode'] = 'READ_ONLY';
  const instance = await DuckDBInstance.create(opts.path, config);
  // DuckDB creates a database file with the umask's default (0644 under the usual 022); a file the
  // engine writes, a run's file in a workspace above all, is its owner's only (as workspace.sqlite).
  if (!opts.readOnly && !opts.path.startsWith(':memory:') && opts.path !== '') {
    try {
      chmodSync(opts.path, 0o600);
    } catch (err) {
      // A file of another owner, or on a file system without Unix modes, keeps its mode.
      if (!['EPERM', 'EROFS', 'ENOTSUP', 'EOPNOTSUPP'].includes((err as NodeJS.ErrnoException).code ?? '')) {
        instance.closeSync();
        throw err;
      }
    }
  }
  const connection = await instance.connect();
  // Lets us poll query progress for the progress bar, without DuckDB printing it.
  await connection.run('SET enable_progress_bar = true; SET enable_progress_bar_print = false');
  return {
    instance,
    connection,
    async dropCachedBlocks() {
      // DuckDB's default limit is set back as it reads (RESET would not restore it).
      const restore = memoryLimit ?? (await queryOne<{ v: string }>(connection, `SELECT current_setting('memory_limit') AS v`)).v;
      try {
        // What cannot be dropped (a pinned or unwritten block) stays; DuckDB then refuses the limit.
        await connection.run(`SET memory_limit = '${CACHE_DROP_LIMIT}'`).catch(() => undefined);
      } finally {
        await connection.run(`SET memory_limit = ${literal(restore)}`);
      }
    },
    close() {
      connection.closeSync();
      instance.closeSync();
    },
  };
}

/** DuckDB's memory limit in bytes, from the setting as DuckDB prints it ("1.8 GiB", "953.6 MiB"). */
export async function memoryLimitBytes(conn: DuckDBConnection): Promise<number> {
  const { v } = await queryOne<{ v: string }>(conn, `SELECT current_setting('memory_limit') AS v`);
  const m = /^([0-9.]+) ?(bytes|KiB|MiB|GiB|TiB|PiB)$/.exec(v.trim());
  if (!m) throw new ReconError('INTERNAL_ERROR', `unexpected DuckDB memory limit "${v}"`);
  return Number(m[1]) * 2 ** (10 * ['bytes', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'].indexOf(m[2]!));
}

/** Runs a query and returns rows as JSON-safe objects (bigints and decimals become strings). */
export async function queryRows<T = Record<string, unknown>>(
  conn: DuckDBConnection,
  sql: string,
  params?: Record<string, unknown> | unknown[],
): Promise<T[]> {
  const reader = params === undefined ? await conn.runAndReadAll(sql) : await conn.runAndReadAll(sql, params as never);
  return reader.getRowObjectsJson() as T[];
}

/** Runs a query that returns one row. */
export async function queryOne<T = Record<string, unknown>>(
  conn: DuckDBConnection,
  sql: string,
  params?: Record<string, unknown> | unknown[],
): Promise<T> {
  const rows = await queryRows<T>(conn, sql, params);
  if (rows.length !== 1) throw new Error(`expected one row, got ${rows.length}`);
  return rows[0]!;
}

/** DuckDB's own progress for the running statement (-1 fraction when it cannot tell). */
export interface QueryProgressInfo {
  fraction: number | undefined;
  rowsDone: number;
  rowsTotal: number | undefined;
}
export type ProgressListener = (p: QueryProgressInfo) => void;

/**
 * Runs one long statement while polling DuckDB's own progress counter, so the
 * host can show a moving bar. Also the hook for cancellation: `signal` aborts
 * the statement with `interrupt()`.
 */
export async function runWithProgress(
  conn: DuckDBConnection,
  sql: string,
  onProgress?: ProgressListener,
  signal?: AbortSignal,
): Promise<void> {
  const onAbort = (): void => conn.interrupt();
  signal?.addEventListener('abort', onAbort);
  const timer = onProgress
    ? setInterval(() => {
        const p = conn.progress;
        const total = Number(p.total_rows_to_process);
        onProgress({
          fraction: p.percentage >= 0 ? p.percentage / 100 : undefined,
          rowsDone: Number(p.rows_processed),
          rowsTotal: total > 0 ? total : undefined,
        });
      }, 250)
    : undefined;
  try {
    if (signal?.aborted) throw new ReconError('RUN_CANCELLED', 'the run was cancelled');
    await conn.run(sql);
  } catch (err) {
    // DuckDB reports an interrupt as a generic error; say what it was.
    if (signal?.aborted && !(err instanceof ReconError)) throw new ReconError('RUN_CANCELLED', 'the run was cancelled');
    throw err;
  } finally {
    if (timer) clearInterval(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}
