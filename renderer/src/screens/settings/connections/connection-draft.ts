import type { ConnectionDto, ConnectionInputDto } from '../../../../../engine/contract/index.ts';

/**
 * The connection form's state, as text fields, and its way back to the
 * contract's input. A header whose value the host does not show (it holds no
 * {secret}, so it may be a literal token) stays empty here and is sent as null:
 * the host keeps the value it has.
 */
export type DatabaseDraft = {
  kind: 'database';
  name: string;
  driver: 'postgres' | 'mysql';
  host: string;
  port: string;
  database: string;
  user: string;
  tls: 'disable' | 'require' | 'verify';
  caFile: string;
  connectTimeoutSeconds: string;
  queryTimeoutSeconds: string;
};

export type HttpDraft = {
  kind: 'http';
  name: string;
  baseUrl: string;
  /** value null: saved on the host and not shown; left as it is unless typed over. */
  headers: { name: string; value: string | null }[];
  timeoutSeconds: string;
  retries: string;
};

export type ConnectionDraft = DatabaseDraft | HttpDraft;

export const DEFAULT_PORT = { postgres: '5432', mysql: '3306' } as const;

export const newDatabaseDraft = (): DatabaseDraft => ({
  kind: 'database',
  name: '',
  driver: 'postgres',
  host: '',
  port: DEFAULT_PORT.postgres,
  database: '',
  user: '',
  tls: 'disable',
  caFile: '',
  connectTimeoutSeconds: '15',
  queryTimeoutSeconds: '3600',
});

export const newHttpDraft = (): HttpDraft => ({ kind: 'http', name: '', baseUrl: 'https://', headers: [{ name: 'Authorization', value: 'Bearer {secret}' }], timeoutSeconds: '30', retries: '3' });

/** A saved connection as the form edits it. */
export function draftOf(c: ConnectionDto): ConnectionDraft {
  if (c.driver === 'http') {
    return { kind: 'http', name: c.name, baseUrl: c.baseUrl, headers: c.headers.map((h) => ({ ...h })), timeoutSeconds: String(c.timeoutSeconds), retries: String(c.retries) };
  }
  return {
    kind: 'database',
    name: c.name,
    driver: c.driver,
    host: c.host,
    port: String(c.port),
    database: c.database,
    user: c.user,
    tls: c.tls,
    caFile: c.caFile ?? '',
    connectTimeoutSeconds: String(c.connectTimeoutSeconds),
    queryTimeoutSeconds: String(c.queryTimeoutSeconds),
  };
}

const whole = (s: string): number | undefined => (/^\d+$/.test(s.trim()) ? Number(s.trim()) : undefined);

/** What is missing or wrong in the draft, in words; empty when it can be saved. */
export function draftProblems(d: ConnectionDraft): string[] {
  const out: string[] = [];
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(d.name.trim())) out.push('a name of letters, digits, ".", "_" or "-"');
  if (d.kind === 'http') {
    if (!/^https?:\/\/[^/\s]+/i.test(d.baseUrl.trim())) out.push('a base URL starting http:// or https://');
    for (const h of d.headers) if (h.name.trim() === '') out.push('a name for every header');
    if (whole(d.timeoutSeconds) === undefined) out.push('a timeout in whole seconds');
    if (whole(d.retries) === undefined) out.push('a number of retries');
    return out;
  }
  if (d.host.trim() === '') out.push('a host');
  const port = whole(d.port);
  if (port === undefined || port < 1 || port > 65535) out.push('a port from 1 to 65535');
  if (d.database.trim() === '') out.push('a database');
  if (d.user.trim() === '') out.push('a user');
  if (whole(d.connectTimeoutSeconds) === undefined || whole(d.queryTimeoutSeconds) === undefined) out.push('timeouts in whole seconds');
  return out;
}

/** The draft as connections.save takes it (call draftProblems first). */
export function inputOf(d: ConnectionDraft): ConnectionInputDto {
  if (d.kind === 'http') {
    return {
      name: d.name.trim(),
      driver: 'http',
      baseUrl: d.baseUrl.trim(),
      headers: d.headers.map((h) => ({ name: h.name.trim(), value: h.value })),
      timeoutSeconds: whole(d.timeoutSeconds)!,
      retries: whole(d.retries)!,
    };
  }
  return {
    name: d.name.trim(),
    driver: d.driver,
    host: d.host.trim(),
    port: whole(d.port)!,
    database: d.database.trim(),
    user: d.user.trim(),
    tls: d.tls,
    caFile: d.tls !== 'disable' && d.caFile.trim() !== '' ? d.caFile.trim() : null,
    connectTimeoutSeconds: whole(d.connectTimeoutSeconds)!,
    queryTimeoutSeconds: whole(d.queryTimeoutSeconds)!,
  };
}

/** Where a connection points, never with a secret: "postgres://user@host:5432/db" or the base URL. */
export function describe(c: ConnectionDto): string {
  if (c.driver === 'http') return c.baseUrl;
  const host = c.host.includes(':') ? `[${c.host}]` : c.host;
  return `${c.driver}://${c.user}@${host}:${c.port}/${c.database}`;
}

/** The password's state in words: where it would come from on this computer. */
export function secretText(c: ConnectionDto): string {
  const s = c.secret;
  if (!s.needed) return 'no secret needed';
  if (s.from.startsWith('$')) return `password from ${s.from}`;
  if (s.stored) return 'password in keychain';
  return 'no password stored';
}
