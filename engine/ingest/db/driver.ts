import type { ErrorCode } from '../../errors/recon-error.ts';
import type { FieldType, QueryParamValue } from '../../definition/schema.ts';

/**
 * What a database driver gives a query source (load-query.ts): a session that
 * describes a query's columns and streams its rows as text, batch by batch.
 * Another database (SQL Server, Oracle) is one more module implementing
 * DbDriver, named in drivers.ts.
 */

export const DRIVER_NAMES = ['postgres', 'mysql'] as const;
export type DriverName = (typeof DRIVER_NAMES)[number];

/** TLS to the server: none, encrypted without checking the certificate, or encrypted and verified (against caFile, else the system's CAs). */
export const TLS_MODES = ['disable', 'require', 'verify'] as const;
export type TlsMode = (typeof TLS_MODES)[number];

/** A saved connection, as the workspace keeps it (connections.ts): never a password. */
export interface ConnectionConfig {
  name: string;
  driver: DriverName;
  host: string;
  port: number;
  database: string;
  user: string;
  tls: TlsMode;
  caFile?: string;
  /** Seconds to wait for the server to accept the login. */
  connectTimeoutSeconds: number;
  /** Seconds a query may run, rows streamed included; a source's timeoutSeconds overrides it. */
  queryTimeoutSeconds: number;
}

/** One column of a query's result: its name, the database's type, and the field type it maps to. */
export interface DbColumn {
  name: string;
  /** The database's own type, as it names it ("numeric(18,2)", "varchar", "datetime"). */
  dbType: string;
  type: FieldType;
  /** Decimal places, for a decimal whose type declares them. */
  scale?: number;
}

/** A value as the database writes it as text, or null for NULL. */
export type DbValue = string | null;

/** A query with its :name parameters bound the driver's way. */
export interface BoundQuery {
  /** The text sent to the server. */
  text: string;
  /** Values of its placeholders, for drivers that bind them (none when inlined as literals). */
  values: unknown[];
}

export interface DbSession {
  /** The server's own version string, for the run's provenance. */
  readonly serverVersion: string;
  /** The session's TLS version as the server reports it ("TLSv1.3"), or null when it is not encrypted. */
  readonly encryption: string | null;
  /** The result's columns and types, without reading its rows. */
  describe(query: BoundQuery): Promise<{ name: string; dbType: string; type: FieldType; scale?: number }[]>;
  /**
   * The result's rows, in batches of about `batchRows`, each value as text. Pulled
   * one batch at a time, so the server is read only as fast as the rows are staged.
   */
  stream(query: BoundQuery, batchRows: number): AsyncIterable<DbValue[][]>;
  /** Rows the server says it sent, when its protocol tells (PostgreSQL's "COPY n"); read after the stream ended. */
  serverRowCount(): number | undefined;
  /** Ends the session politely. */
  close(): Promise<void>;
  /** Ends the session at once (a timeout, a cancelled run, a failure). */
  destroy(): void;
}

/** A failure the driver raised, sorted into what a person needs to know. */
export interface ClassifiedError {
  code: Extract<ErrorCode, 'SOURCE_AUTH_FAILED' | 'SOURCE_UNREACHABLE' | 'SOURCE_QUERY_FAILED' | 'SOURCE_TIMEOUT' | 'SOURCE_CONNECTION_LOST'>;
  /** What happened, in the server's or the network's words. */
  message: string;
}

export interface DbDriver {
  name: DriverName;
  /** For people: "PostgreSQL". */
  label: string;
  defaultPort: number;
  /** The environment variable this database's own tools read a password from. */
  passwordEnv: string;
  /** Logs in; fails with the driver's error (classify() sorts it). */
  connect(config: ConnectionConfig, password: string | undefined): Promise<DbSession>;
  /** Binds `:name` parameters (params.ts finds them) as placeholders or literals. */
  bind(sql: string, params: Record<string, QueryParamValue>): BoundQuery;
  /** Sorts an error of this driver; `phase` says what was being done when it came. */
  classify(err: unknown, phase: 'connect' | 'query' | 'stream'): ClassifiedError;
}

/** "postgres://user@host:port/database": where a connection points, never with a password. */
export function describeConnection(c: Pick<ConnectionConfig, 'driver' | 'user' | 'host' | 'port' | 'database'>): string {
  const host = c.host.includes(':') ? `[${c.host}]` : c.host;
  return `${c.driver}://${c.user}@${host}:${c.port}/${c.database}`;
}

/** Network errors that mean the server could not be reached at all. */
export const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ETIMEDOUT', 'EADDRNOTAVAIL']);
/** Network errors that mean an open connection dropped. */
export const LOST_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'PROTOCOL_CONNECTION_LOST', 'ERR_STREAM_PREMATURE_CLOSE']);
