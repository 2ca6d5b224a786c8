import { createHash } from 'node:crypto';
import type { QueryProvenance } from '../../contract/runs.ts';
import type { QueryParamValue, SourceOptions } from '../../definition/schema.ts';
import { ReconError } from '../../errors/recon-error.ts';
import { ident } from '../../sql/quote.ts';
import type { Keychain } from '../../sync/credentials.ts';
import { materialized, uniqueColumnNames, type LoadContext, type LoadedSource, type PreparedSource, type Side } from '../source-types.ts';
import { getConnection, resolveSourcePassword } from './connections.ts';
import { describeConnection, type BoundQuery, type ClassifiedError, type ConnectionConfig, type DbColumn, type DbDriver, type DbSession } from './driver.ts';
import { loadDriver } from './drivers.ts';

/**
 * A query source: the rows of a SQL query on a saved connection, streamed
 * into the run's DuckDB file batch by batch (never held whole in JavaScript),
 * as text in the database's own spelling, with the column types the database
 * declares. The run records where they came from (QueryProvenance).
 */

/** Rows per batch: appended and reported together. */
export const QUERY_BATCH_ROWS = 10_000;

/** How the canonical rows are written for their SHA-256 (docs/SOURCES.md). */
export const ROWS_CANONICAL_FORM =
  'recon-rows/1: UTF-8; first line the column names as a JSON array, then one line per row in the order the query returned them, a JSON array of its values as the database wrote them as text (null for NULL); each line ends with \\n';

/** What a run needs besides the definition to reach a database. */
export interface QueryEnv {
  workspace: string;
  /** Where passwords are looked up after the environment; none in tests and scripted runs. */
  keychain?: Keychain;
  env?: NodeJS.ProcessEnv;
  /** `recon run --param name=value`: values that replace the definition's params. */
  params?: Record<string, QueryParamValue>;
}

/** A query source connected and described, not read yet. */
export interface PreparedQuery {
  connection: ConnectionConfig;
  driver: DbDriver;
  session: DbSession;
  bound: BoundQuery;
  sql: string;
  params: Record<string, QueryParamValue>;
  columns: DbColumn[];
  timeoutSeconds: number;
  typesFromDatabase: boolean;
}

/** The label a query source goes by where a file would give its path (summary, rejects, the runs registry). */
export function queryLabel(source: SourceOptions): string {
  return `query:${source.connection ?? '?'}`;
}

/** Connects, binds the parameters and reads the result's columns and types: enough to bind the definition. */
export async function prepareQuery(_ctx: LoadContext, side: Side, source: SourceOptions, qenv: QueryEnv): Promise<PreparedSource> {
  const connection = await getConnection(qenv.workspace, source.connection!);
  const driver = await loadDriver(connection.driver);
  const timeoutSeconds = source.timeoutSeconds ?? connection.queryTimeoutSeconds;
  const config = { ...connection, queryTimeoutSeconds: timeoutSeconds };
  const given = { ...(source.params ?? {}) };
  // --param replaces only parameters this query has, so one value can serve two query sources.
  for (const [k, v] of Object.entries(qenv.params ?? {})) if (Object.hasOwn(given, k) || new RegExp(`:${k}\\b`).test(source.sql!)) given[k] = v;
  let bound: BoundQuery;
  try {
    bound = driver.bind(source.sql!, given);
  } catch (err) {
    if (err instanceof ReconError) throw new ReconError(err.code, `sources.${side}: ${err.message.replace(/^query: /, '')}`, err.details);
    throw err;
  }
  const where = sourceName(side, connection);
  // The OS keychain (team sync's, under this connection's own account), loaded only for a query source.
  const keychain = qenv.keychain ?? (await import('../../sync/credentials.ts')).osKeychain();
  const pw = resolveSourcePassword(connection, driver.passwordEnv, qenv.env ?? process.env, keychain);
  const session = await connectWithin(driver, config, pw.password, where, pw.origin, pw.keychainError);
  try {
    const described = await withinTimeout(session, timeoutSeconds, () => session.describe(bound), (timedOut) =>
      timedOut ? new ClassifiedAs({ code: 'SOURCE_TIMEOUT', message: `no result within the query timeout of ${timeoutSeconds} s` }) : undefined,
    ).catch((err: unknown) => {
      throw sourceError(where, err instanceof ClassifiedAs ? err.c : driver.classify(err, 'query'), pw.origin);
    });
    const { names, warnings } = uniqueColumnNames(described.map((c) => c.name));
    const columns = described.map((c, i) => ({ ...c, name: names[i]! }));
    const query: PreparedQuery = { connection, driver, session, bound, sql: source.sql!, params: given, columns, timeoutSeconds, typesFromDatabase: source.typesFromDatabase ?? true };
    return {
      side,
      originalPath: queryLabel(source),
      bytes: 0,
      format: 'query',
      options: source,
      readPath: queryLabel(source),
      columns: names,
      warnings: warnings.map((w) => w.replace('header cell', 'result column').replace(/^header/, 'result column')),
      dialect: undefined,
      xlsx: undefined,
      query,
      release: () => session.destroy(),
    };
  } catch (err) {
    session.destroy();
    throw err;
  }
}

/**
 * Streams the query's rows into `raw_<side>` (a TEMP table of VARCHAR columns)
 * through DuckDB's appender, a batch at a time, hashing them as it goes. A
 * failure half-way ends the session and fails the run, whose file is removed.
 */
export async function loadQuery(ctx: LoadContext, p: PreparedSource): Promise<LoadedSource> {
  const q = p.query!;
  const { side } = p;
  const where = sourceName(side, q.connection);
  const raw = `raw_${side}`;
  await ctx.conn.run(`CREATE OR REPLACE TEMP TABLE ${raw} (${p.columns.map((c) => `${ident(c)} VARCHAR`).join(', ')})`);
  const appender = await ctx.conn.createAppender(raw, null, 'temp');
  const hash = createHash('sha256');
  let bytes = 0;
  const write = (line: string): void => {
    const buf = Buffer.from(`${line}\n`, 'utf8');
    bytes += buf.length;
    hash.update(buf);
  };
  write(JSON.stringify(p.columns));
  const startedAt = new Date();
  let rows = 0;
  let cancelled = false;
  const onAbort = (): void => {
    cancelled = true;
    q.session.destroy();
  };
  ctx.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await withinTimeout(q.session, q.timeoutSeconds, async () => {
      for await (const batch of q.session.stream(q.bound, QUERY_BATCH_ROWS)) {
        for (const row of batch) {
          if (row.length !== p.columns.length) throw new ClassifiedAs({ code: 'SOURCE_QUERY_FAILED', message: `row ${rows + 1} has ${row.length} values for ${p.columns.length} columns` });
          for (const v of row) {
            if (v === null) appender.appendNull();
            else appender.appendVarchar(v);
          }
          appender.endRow();
          write(JSON.stringify(row));
          rows++;
        }
        appender.flushSync();
        ctx.onProgress?.({ fraction: undefined, rowsDone: rows, rowsTotal: undefined });
        if (cancelled) break;
      }
    }, (timedOut) => (timedOut ? new ClassifiedAs({ code: 'SOURCE_TIMEOUT', message: `the query ran past its timeout of ${q.timeoutSeconds} s (${rows} rows read)` }) : undefined));
    if (cancelled) throw new ReconError('RUN_CANCELLED', 'run was cancelled');
    await q.session.close().catch(() => undefined);
  } catch (err) {
    q.session.destroy();
    if (cancelled || (err instanceof ReconError && err.code === 'RUN_CANCELLED')) throw new ReconError('RUN_CANCELLED', 'run was cancelled');
    const c = err instanceof ClassifiedAs ? err.c : q.driver.classify(err, 'stream');
    throw sourceError(where, c.code === 'SOURCE_CONNECTION_LOST' ? { ...c, message: `${c.message} (after ${rows} rows)` } : c);
  } finally {
    ctx.signal?.removeEventListener('abort', onAbort);
    try {
      appender.closeSync();
    } catch {
      // already failed: the run is being abandoned, and its file removed
    }
  }
  const finishedAt = new Date();
  const sha256 = hash.digest('hex');
  // The server's own count where the protocol gives one: the row-count check then compares it with what was staged.
  const serverRows = q.session.serverRowCount();
  const provenance: QueryProvenance = {
    connection: {
      name: q.connection.name,
      driver: q.connection.driver,
      host: q.connection.host,
      port: q.connection.port,
      database: q.connection.database,
      user: q.connection.user,
      tls: q.connection.tls,
      encryption: q.session.encryption ?? 'none',
    },
    server: q.session.serverVersion,
    sql: q.sql,
    params: q.params,
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    rows,
    ...(serverRows !== undefined ? { serverRows } : {}),
    rowsSha256: sha256,
    canonicalForm: ROWS_CANONICAL_FORM,
    columns: q.columns.map((c) => ({ name: c.name, dbType: c.dbType, type: c.type, ...(c.scale !== undefined ? { scale: c.scale } : {}) })),
  };
  return {
    side,
    file: { path: p.originalPath, bytes, sha256, format: 'query', query: provenance },
    ...materialized(side, raw),
    columns: p.columns,
    sourceRecords: serverRows ?? rows,
    structuralRejects: 0,
    blankRows: 0,
    lineLabel: 'row',
    warnings: [...p.warnings, ...(rows === 0 ? [`the query on connection "${q.connection.name}" returned no rows`] : [])],
    async locate(rowids) {
      return new Map(rowids.map((r) => [r, r + 1]));
    },
    async lineOffsets(n) {
      return n > 0 ? [0, 1] : [];
    },
  };
}

/** An error already sorted (a timeout, a malformed row), passed through the driver's classify untouched. */
class ClassifiedAs extends Error {
  constructor(readonly c: ClassifiedError) {
    super(c.message);
  }
}

function sourceName(side: Side, c: ConnectionConfig): string {
  return `source ${side.toUpperCase()} (connection "${c.name}", ${describeConnection(c)})`;
}

const WHAT: Record<ClassifiedError['code'], string> = {
  SOURCE_AUTH_FAILED: 'the server refused the login',
  SOURCE_UNREACHABLE: 'could not connect',
  SOURCE_QUERY_FAILED: 'the query failed',
  SOURCE_TIMEOUT: 'timed out',
  SOURCE_CONNECTION_LOST: 'the connection was lost while rows were streaming; nothing of this run is kept',
};

function sourceError(where: string, c: ClassifiedError, passwordOrigin?: string, keychainError?: string): ReconError {
  let hint = '';
  if (c.code === 'SOURCE_AUTH_FAILED') {
    hint =
      passwordOrigin && passwordOrigin !== 'none'
        ? ` (password from ${passwordOrigin})`
        : ` (no password was found: store one with \`recon source set-password\`, or set the connection's environment variable${keychainError ? `; keychain: ${keychainError}` : ''})`;
  }
  return new ReconError(c.code, `${where}: ${WHAT[c.code]}: ${firstLine(c.message)}${hint}${tlsHint(c.message)}`);
}

/** What to do about a TLS failure, which the driver reports in the words of OpenSSL or of the server. */
function tlsHint(message: string): string {
  if (/self[- ]signed certificate|unable to verify the first certificate|unable to get (local )?issuer|does not match certificate's altnames|certificate has expired/i.test(message)) {
    return " (the server's certificate is not trusted: give the CA that signed it with --ca-file, or use --tls require to encrypt without checking it)";
  }
  if (/does not support SSL|SSL connection error|server does not allow insecure connections|requires SSL|no pg_hba\.conf entry .* no encryption/i.test(message)) {
    return ' (the server and the connection disagree on TLS: see --tls disable|require|verify)';
  }
  return '';
}

function firstLine(s: string): string {
  return (s.split('\n')[0] ?? s).slice(0, 500);
}

/** Logs in within the connection's connect timeout (the driver's own, and this one in case the driver's does not fire). */
async function connectWithin(driver: DbDriver, config: ConnectionConfig, password: string | undefined, where: string, origin: string, keychainError: string | undefined): Promise<DbSession> {
  const pending = driver.connect(config, password);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ClassifiedAs({ code: 'SOURCE_UNREACHABLE', message: `no answer from the server within the connect timeout of ${config.connectTimeoutSeconds} s` })), config.connectTimeoutSeconds * 1000 + 1000);
  });
  try {
    return await Promise.race([pending, timeout]);
  } catch (err) {
    // A login that completes after the timeout is closed at once.
    pending.then((s) => s.destroy(), () => undefined);
    throw sourceError(where, err instanceof ClassifiedAs ? err.c : driver.classify(err, 'connect'), origin, keychainError);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs `fn` against the session under a deadline: past it the session is cut off
 * (which fails whatever waits on it) and `explain(true)` says so, whatever error
 * the cut-off raised. The server also stops the statement itself (driver settings).
 */
async function withinTimeout<T>(session: DbSession, seconds: number, fn: () => Promise<T>, explain: (timedOut: boolean) => Error | undefined): Promise<T> {
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    session.destroy();
  }, seconds * 1000);
  try {
    const result = await fn();
    if (timedOut) throw explain(true) ?? new Error('timed out');
    return result;
  } catch (err) {
    if (timedOut) throw explain(true) ?? err;
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

/** `recon source test`: logs in and runs `SELECT 1`, saying which server answered and where the password came from. */
export async function testConnection(
  qenv: QueryEnv,
  name: string,
): Promise<{ connection: ConnectionConfig; serverVersion: string; encryption: string | null; passwordFrom: string; ms: number }> {
  const t0 = performance.now();
  const connection = await getConnection(qenv.workspace, name);
  const driver = await loadDriver(connection.driver);
  const keychain = qenv.keychain ?? (await import('../../sync/credentials.ts')).osKeychain();
  const pw = resolveSourcePassword(connection, driver.passwordEnv, qenv.env ?? process.env, keychain);
  const where = `connection "${connection.name}" (${describeConnection(connection)})`;
  const session = await connectWithin(driver, connection, pw.password, where, pw.origin, pw.keychainError);
  try {
    await withinTimeout(session, connection.queryTimeoutSeconds, () => session.describe(driver.bind('SELECT 1 AS ok', {})), () => undefined).catch((err: unknown) => {
      throw sourceError(where, driver.classify(err, 'query'), pw.origin);
    });
    await session.close();
  } finally {
    session.destroy();
  }
  return { connection, serverVersion: session.serverVersion, encryption: session.encryption, passwordFrom: pw.origin, ms: Math.round(performance.now() - t0) };
}
