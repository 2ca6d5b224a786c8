import { readFileSync } from 'node:fs';
import mysql from 'mysql2';
import type { FieldPacket, Connection } from 'mysql2';
import type { FieldType, QueryParamValue } from '../../definition/schema.ts';
import { LOST_CODES, UNREACHABLE_CODES, type BoundQuery, type ClassifiedError, type DbDriver, type DbSession, type DbValue } from './driver.ts';
import { bindNamed, stripTrailingSemicolons } from './params.ts';

/**
 * MySQL and MariaDB (mysql2): a streaming query in the text protocol, every
 * value taken as the server's text (no JavaScript numbers or dates in between),
 * read one batch at a time with the socket paused in between.
 */
export const mysqlDriver: DbDriver = {
  name: 'mysql',
  label: 'MySQL/MariaDB',
  defaultPort: 3306,
  passwordEnv: 'MYSQL_PWD',
  async connect(config, password) {
    const conn = mysql.createConnection({
      host: config.host,
      port: config.port,
      database: config.database,
      user: config.user,
      ...(password !== undefined ? { password } : {}),
      connectTimeout: config.connectTimeoutSeconds * 1000,
      charset: 'utf8mb4',
      timezone: 'Z',
      dateStrings: true,
      supportBigNumbers: true,
      bigNumberStrings: true,
      enableKeepAlive: true,
      ...(config.tls === 'disable' ? {} : { ssl: config.tls === 'require' ? { rejectUnauthorized: false } : { rejectUnauthorized: true, ...(config.caFile ? { ca: readFileSync(config.caFile, 'utf8') } : {}) } }),
    });
    let lost: Error | undefined;
    conn.on('error', (err) => (lost ??= err));
    try {
      await new Promise<void>((resolve, reject) => conn.connect((err) => (err ? reject(err) : resolve())));
    } catch (err) {
      conn.destroy();
      throw err;
    }
    const run = (sql: string, values: unknown[] = []): Promise<{ rows: unknown; fields: FieldPacket[] }> =>
      new Promise((resolve, reject) => conn.query({ sql, values }, (err, rows, fields) => (err ? reject(err) : resolve({ rows, fields: (fields ?? []) as FieldPacket[] }))));
    let version: string;
    let encryption: string | null;
    try {
      // TIMESTAMP columns in UTC, as PostgreSQL's are (postgres.ts).
      await run("SET time_zone = '+00:00'");
      // MariaDB stops the statement itself at the timeout (MySQL has no such setting for every statement).
      await run(`SET SESSION max_statement_time = ${config.queryTimeoutSeconds}`).catch(() => undefined);
      version = String(((await run('SELECT VERSION() AS v')).rows as { v: string }[])[0]?.v ?? '');
      // The server's own word on this session's encryption: Ssl_version is empty when there is none.
      const ssl = ((await run("SHOW SESSION STATUS LIKE 'Ssl_version'")).rows as { Value?: string }[])[0]?.Value ?? '';
      encryption = ssl === '' ? null : ssl;
    } catch (err) {
      conn.destroy();
      throw err;
    }
    let current: { destroy(err?: Error): void } | undefined;
    const session: DbSession = {
      serverVersion: version,
      encryption,
      async describe(q) {
        const { fields } = await run(`SELECT * FROM (${q.text}\n) AS recon_query LIMIT 0`, q.values);
        return fields.map((f) => ({ name: f.name, ...describeField(f) }));
      },
      async *stream(q: BoundQuery, batchRows: number): AsyncGenerator<DbValue[][]> {
        if (lost) throw lost;
        const rows = conn
          .query({ sql: q.text, values: q.values, rowsAsArray: true, typeCast: (field) => field.string() })
          .stream({ highWaterMark: batchRows });
        current = rows;
        // mysql2 tells a lost connection to the connection, not to a streaming query: end the stream with it.
        const onLost = (err?: Error): void => {
          rows.destroy(err ?? lost ?? Object.assign(new Error('Connection lost: the server closed the connection'), { code: 'PROTOCOL_CONNECTION_LOST' }));
        };
        conn.on('error', onLost);
        conn.on('end', onLost);
        try {
          let batch: DbValue[][] = [];
          for await (const row of rows as AsyncIterable<DbValue[]>) {
            batch.push(row);
            if (batch.length >= batchRows) {
              yield batch;
              batch = [];
            }
          }
          if (lost) throw lost;
          if (batch.length > 0) yield batch;
        } finally {
          conn.off('error', onLost);
          conn.off('end', onLost);
          current = undefined;
        }
      },
      serverRowCount: () => undefined,
      async close() {
        await new Promise<void>((resolve) => conn.end(() => resolve()));
      },
      destroy() {
        // A destroyed connection no longer tells its streaming query: end that too, so nothing waits on it.
        current?.destroy(Object.assign(new Error('the connection was closed'), { code: 'ECONNABORTED' }));
        (conn as Connection).destroy();
      },
    };
    return session;
  },
  bind(sql: string, params: Record<string, QueryParamValue>): BoundQuery {
    const values: unknown[] = [];
    const text = bindNamed(
      stripTrailingSemicolons(sql),
      params,
      (_name, value) => {
        values.push(value);
        return '?';
      },
      'query',
      true,
    );
    return { text, values };
  },
  classify(err: unknown, phase): ClassifiedError {
    const e = err as { code?: string; errno?: number; message?: string; fatal?: boolean };
    const message = e.message ?? String(err);
    const code = e.code ?? '';
    if (code === 'ER_ACCESS_DENIED_ERROR' || code === 'ER_DBACCESS_DENIED_ERROR' || e.errno === 1045 || e.errno === 1044 || e.errno === 1698) {
      return { code: 'SOURCE_AUTH_FAILED', message };
    }
    // MariaDB's max_statement_time, MySQL's max_execution_time.
    if (e.errno === 1969 || e.errno === 3024) return { code: 'SOURCE_TIMEOUT', message };
    if (UNREACHABLE_CODES.has(code) || phase === 'connect') return { code: 'SOURCE_UNREACHABLE', message };
    if (LOST_CODES.has(code) || e.fatal === true || e.errno === 1927 /* ER_CONNECTION_KILLED */) return { code: 'SOURCE_CONNECTION_LOST', message };
    return { code: 'SOURCE_QUERY_FAILED', message };
  },
};

const UNSIGNED_FLAG = 32;
const BINARY_CHARSET = 63;

/** The field type (and the database's own type name) of a MySQL/MariaDB result column. */
function describeField(f: FieldPacket): { dbType: string; type: FieldType; scale?: number } {
  const t = f.columnType ?? f.type ?? -1;
  const unsigned = ((f.flags as number | undefined) ?? 0) & UNSIGNED_FLAG ? ' unsigned' : '';
  const scale = f.decimals ?? 0;
  switch (t) {
    case 0:
    case 246: {
      // The column length counts the digits, the point (with a scale) and the sign (when signed).
      const precision = (f.columnLength ?? 0) - (scale > 0 ? 1 : 0) - (unsigned ? 0 : 1);
      return { dbType: `decimal(${precision},${scale})${unsigned}`, type: 'decimal', scale };
    }
    case 1:
      return { dbType: `tinyint${unsigned}`, type: 'integer' };
    case 2:
      return { dbType: `smallint${unsigned}`, type: 'integer' };
    case 9:
      return { dbType: `mediumint${unsigned}`, type: 'integer' };
    case 3:
      return { dbType: `int${unsigned}`, type: 'integer' };
    case 8:
      return { dbType: `bigint${unsigned}`, type: 'integer' };
    case 13:
      return { dbType: 'year', type: 'integer' };
    case 4:
      return { dbType: 'float', type: 'decimal' };
    case 5:
      return { dbType: 'double', type: 'decimal' };
    case 10:
    case 14:
      return { dbType: 'date', type: 'date' };
    case 12:
      return { dbType: 'datetime', type: 'timestamp' };
    case 7:
      return { dbType: 'timestamp', type: 'timestamp' };
    case 11:
      return { dbType: 'time', type: 'string' };
    default:
      return { dbType: f.characterSet === BINARY_CHARSET && t !== 245 ? `binary (type ${t})` : STRING_TYPES[t] ?? `type ${t}`, type: 'string' };
  }
}

const STRING_TYPES: Record<number, string> = { 15: 'varchar', 16: 'bit', 245: 'json', 247: 'enum', 248: 'set', 249: 'tinytext', 250: 'mediumtext', 251: 'longtext', 252: 'text', 253: 'varchar', 254: 'char' };
