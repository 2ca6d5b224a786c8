import { readFileSync } from 'node:fs';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import type { FieldType, QueryParamValue } from '../../definition/schema.ts';
import { parseCopyText } from './copy-text.ts';
import { LOST_CODES, UNREACHABLE_CODES, type BoundQuery, type ClassifiedError, type ConnectionConfig, type DbDriver, type DbSession, type DbValue } from './driver.ts';
import { bindNamed, stripTrailingSemicolons } from './params.ts';

/**
 * PostgreSQL: rows through `COPY (query) TO STDOUT` (pg-copy-streams), the
 * fastest way out of the server and one whose text form is PostgreSQL's own
 * output of each type; its "COPY n" tag is the server's row count. COPY takes
 * no bind parameters, so `:name` values are inlined as quoted literals.
 */
export const postgresDriver: DbDriver = {
  name: 'postgres',
  label: 'PostgreSQL',
  defaultPort: 5432,
  passwordEnv: 'PGPASSWORD',
  async connect(config, password) {
    const client = new pg.Client({
      host: config.host,
      port: config.port,
      database: config.database,
      user: config.user,
      ...(password !== undefined ? { password } : {}),
      ssl: sslOptions(config),
      connectionTimeoutMillis: config.connectTimeoutSeconds * 1000,
      keepAlive: true,
      application_name: 'recon-workstation',
      // The server stops the query itself at the timeout (load-query.ts also stops waiting).
      statement_timeout: config.queryTimeoutSeconds * 1000,
      // One text form whatever the server's settings: ISO dates, timestamps with time zone in UTC.
      options: '-c TimeZone=UTC -c DateStyle=ISO,YMD -c IntervalStyle=iso_8601 -c client_encoding=UTF8',
    });
    let lost: Error | undefined;
    // An idle client whose server goes away emits 'error'; unhandled, it would end the process.
    client.on('error', (err) => (lost ??= err));
    try {
      await client.connect();
    } catch (err) {
      // A login refused on this side (no password for SCRAM) leaves the socket open until the server's own timeout.
      (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
      throw err;
    }
    let version: string;
    let encryption: string | null;
    try {
      // pg_stat_ssl is the server's own word on this session's encryption.
      const row = (
        await client.query<{ v: string; tls: string | null }>('SELECT version() AS v, (SELECT s.version FROM pg_stat_ssl s WHERE s.pid = pg_backend_pid() AND s.ssl) AS tls')
      ).rows[0];
      version = row?.v ?? '';
      encryption = row?.tls ?? null;
    } catch (err) {
      client.end().catch(() => undefined);
      throw err;
    }
    let rowCount: number | undefined;
    let current: { destroy(err?: Error): void } | undefined;
    const session: DbSession = {
      serverVersion: version,
      encryption,
      async describe(q) {
        const res = await client.query({ text: `SELECT * FROM (${q.text}\n) AS recon_query LIMIT 0`, values: q.values });
        const names = await client.query<{ t: string }>('SELECT format_type(o, m) AS t FROM unnest($1::oid[], $2::int[]) WITH ORDINALITY AS x(o, m, n) ORDER BY n', [
          res.fields.map((f) => f.dataTypeID),
          res.fields.map((f) => f.dataTypeModifier),
        ]);
        return res.fields.map((f, i) => ({ name: f.name, dbType: names.rows[i]?.t ?? `oid ${f.dataTypeID}`, ...fieldTypeOf(f.dataTypeID, f.dataTypeModifier) }));
      },
      async *stream(q: BoundQuery, batchRows: number): AsyncGenerator<DbValue[][]> {
        if (lost) throw lost;
        const copy = client.query(copyTo(`COPY (${q.text}\n) TO STDOUT`));
        // A connection that ends mid-COPY must fail the stream, never leave it waiting.
        const onEnd = (): void => {
          copy.destroy(lost ?? Object.assign(new Error('the server closed the connection'), { code: 'ECONNRESET' }));
        };
        client.once('end', onEnd);
        current = copy;
        try {
          yield* parseCopyText(copy, batchRows);
          rowCount = copy.rowCount;
        } finally {
          client.off('end', onEnd);
          current = undefined;
        }
      },
      serverRowCount: () => rowCount,
      async close() {
        await client.end();
      },
      destroy() {
        current?.destroy(Object.assign(new Error('the connection was closed'), { code: 'ECONNABORTED' }));
        // end() waits for the server; a hung or timed-out server is cut off at the socket.
        (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
        client.end().catch(() => undefined);
      },
    };
    return session;
  },
  bind(sql: string, params: Record<string, QueryParamValue>): BoundQuery {
    return { text: bindNamed(stripTrailingSemicolons(sql), params, (_name, value) => literal(value), 'query', false), values: [] };
  },
  classify(err: unknown, phase): ClassifiedError {
    const e = err as { code?: string; message?: string };
    const message = e.message ?? String(err);
    const code = e.code ?? '';
    // pg refuses a password login it was given no password for before the server can (SCRAM needs one).
    if (code === '28P01' || code === '28000' || /client password must be a string|password authentication/i.test(message)) return { code: 'SOURCE_AUTH_FAILED', message };
    if (code === '57014') return { code: 'SOURCE_TIMEOUT', message };
    if (UNREACHABLE_CODES.has(code)) return { code: 'SOURCE_UNREACHABLE', message };
    const dropped = LOST_CODES.has(code) || code.startsWith('08') || code.startsWith('57P') || /connection terminated|server closed the connection|Connection terminated/i.test(message);
    if (phase === 'connect') return { code: 'SOURCE_UNREACHABLE', message };
    if (dropped) return { code: 'SOURCE_CONNECTION_LOST', message };
    return { code: 'SOURCE_QUERY_FAILED', message };
  },
};

function sslOptions(c: ConnectionConfig): pg.ClientConfig['ssl'] {
  if (c.tls === 'disable') return false;
  if (c.tls === 'require') return { rejectUnauthorized: false };
  return { rejectUnauthorized: true, ...(c.caFile ? { ca: readFileSync(c.caFile, 'utf8') } : {}) };
}

/** A parameter as a PostgreSQL literal: quotes doubled; backslashes too, in an E'' string (as libpq's PQescapeLiteral). */
function literal(v: QueryParamValue): string {
  if (v === null) return 'NULL';
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new RangeError(`parameter value ${v} is not a finite number`);
    return String(v);
  }
  const body = v.replace(/'/g, "''");
  return v.includes('\\') ? ` E'${body.replace(/\\/g, '\\\\')}'` : `'${body}'`;
}

/** The field type of a PostgreSQL type (by OID; numeric's scale from its type modifier). */
function fieldTypeOf(oid: number, typmod: number): { type: FieldType; scale?: number } {
  switch (oid) {
    case 16:
      return { type: 'boolean' };
    case 20:
    case 21:
    case 23:
      return { type: 'integer' };
    case 1700:
      // numeric(p,s): typmod = ((p << 16) | s) + 4; plain numeric has none (-1).
      return typmod >= 4 ? { type: 'decimal', scale: (typmod - 4) & 0xffff } : { type: 'decimal' };
    case 700:
    case 701:
      return { type: 'decimal' };
    case 1082:
      return { type: 'date' };
    case 1114:
    case 1184:
      return { type: 'timestamp' };
    default:
      return { type: 'string' };
  }
}
