/**
 * Settings → Connections and the new-run screen's query and HTTP sides: the
 * workspace's saved connections (engine/ingest/db/connections.ts), changed only
 * by an admin and audited (engine/workflow/connections.ts), tested and previewed
 * by anyone. A password travels once, page → host → OS keychain: it is never
 * returned, logged, put in an error or in an audit event. The keychain and the
 * environment are the host's (ctx.sync's: tests pass their own).
 */
import type { ConnectionDto, ConnectionInputDto } from '../../contract/index.ts';
import { ReconError } from '../../errors/recon-error.ts';
import { keychainAccountOf, listAllConnections, passwordEnvOf, resolveSourcePassword, tlsLine, type AnyConnection } from '../../ingest/db/connections.ts';
import { describeConnection } from '../../ingest/db/driver.ts';
import { DEFAULT_PORTS } from '../../ingest/db/drivers.ts';
import { httpKeychainAccount, needsSecret, resolveHttpSecret, SECRET_PLACEHOLDER } from '../../ingest/http/http-connection.ts';
import { SyncError } from '../../sync/errors.ts';
import { forgetConnectionPassword, removeConnectionAudited, saveConnectionAudited, setConnectionPassword, type SaveConnectionInput } from '../../workflow/connections.ts';
import { previewSource } from '../source-preview.ts';
import type { Handlers, HostContext } from './types.ts';

type ConnectionCalls = 'connections.list' | 'connections.save' | 'connections.remove' | 'connections.setPassword' | 'connections.forgetPassword' | 'connections.test' | 'connections.preview';

/** The database's own password variable, without loading its driver. */
const DRIVER_PASSWORD_ENV = { postgres: 'PGPASSWORD', mysql: 'MYSQL_PWD' } as const;

/** A keychain failure (none on this host) crosses the boundary as error data with its code. */
async function guarded<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw err instanceof SyncError ? new ReconError(err.code, err.message, err.details) : err;
  }
}

export function connectionsHandlers(ctx: HostContext): Pick<Handlers, ConnectionCalls> {
  const keychain = () => ctx.sync.keychain;
  const qenv = () => ({ workspace: ctx.workspace, keychain: ctx.sync.keychain, env: ctx.sync.env });
  const changed = (): void => ctx.emit({ type: 'workflow.changed', runId: null, what: 'settings' });

  /** Where a connection's password would come from on this host, and whether the keychain holds one: never the value. */
  const secretOf = (c: AnyConnection): ConnectionDto['secret'] => {
    const account = c.driver === 'http' ? httpKeychainAccount(c) : keychainAccountOf(c);
    let stored = false;
    let keychainError: string | null = null;
    try {
      stored = ctx.sync.keychain.get(account) !== null;
    } catch (err) {
      keychainError = (err as Error).message;
    }
    const envVar = passwordEnvOf(c.name);
    const from =
      c.driver === 'http'
        ? resolveHttpSecret(c, envVar, ctx.sync.env, stored ? ctx.sync.keychain : undefined).origin
        : resolveSourcePassword(c, DRIVER_PASSWORD_ENV[c.driver], ctx.sync.env, stored ? ctx.sync.keychain : undefined).origin;
    return { envVar, from, stored, keychainError, needed: c.driver !== 'http' || needsSecret(c.headers) };
  };

  const dto = (c: AnyConnection): ConnectionDto =>
    c.driver === 'http'
      ? {
          name: c.name,
          driver: 'http',
          baseUrl: c.baseUrl,
          // A value without {secret} may be a literal token: named, not shown.
          headers: Object.entries(c.headers).map(([name, value]) => ({ name, value: value.includes(SECRET_PLACEHOLDER) ? value : null })),
          timeoutSeconds: c.timeoutSeconds,
          retries: c.retries,
          secret: secretOf(c),
        }
      : {
          name: c.name,
          driver: c.driver,
          host: c.host,
          port: c.port,
          database: c.database,
          user: c.user,
          tls: c.tls,
          caFile: c.caFile ?? null,
          connectTimeoutSeconds: c.connectTimeoutSeconds,
          queryTimeoutSeconds: c.queryTimeoutSeconds,
          secret: secretOf(c),
        };

  /** The form's input as the workspace file takes it; a header left null keeps the value saved before. */
  const toInput = async (input: ConnectionInputDto): Promise<SaveConnectionInput> => {
    if (input.driver === 'http') {
      const before = (await listAllConnections(ctx.workspace)).find((c) => c.name === input.name);
      const kept = before?.driver === 'http' ? before.headers : {};
      const headers: Record<string, string> = {};
      for (const h of input.headers ?? []) {
        const value = h.value ?? kept[h.name];
        if (value === undefined) throw new ReconError('INVALID_ARGUMENT', `header ${h.name}: give its value (none is saved to keep)`);
        headers[h.name] = value;
      }
      return {
        name: input.name,
        driver: 'http',
        baseUrl: input.baseUrl,
        headers,
        ...(input.timeoutSeconds !== undefined ? { timeoutSeconds: input.timeoutSeconds } : {}),
        ...(input.retries !== undefined ? { retries: input.retries } : {}),
      };
    }
    return {
      name: input.name,
      driver: input.driver,
      host: input.host,
      port: input.port ?? DEFAULT_PORTS[input.driver],
      database: input.database,
      user: input.user,
      tls: input.tls ?? 'disable',
      ...(input.caFile ? { caFile: input.caFile } : {}),
      ...(input.connectTimeoutSeconds !== undefined ? { connectTimeoutSeconds: input.connectTimeoutSeconds } : {}),
      ...(input.queryTimeoutSeconds !== undefined ? { queryTimeoutSeconds: input.queryTimeoutSeconds } : {}),
    };
  };

  return {
    'connections.list': async () => ({ connections: (await listAllConnections(ctx.workspace)).map(dto) }),

    'connections.save': ({ connection }) =>
      guarded(async () => {
        const saved = await saveConnectionAudited(ctx.store, ctx.user, ctx.workspace, await toInput(connection));
        changed();
        return { connection: dto(saved.connection), created: saved.created };
      }),

    'connections.remove': ({ name }) =>
      guarded(async () => {
        const removed = await removeConnectionAudited(ctx.store, ctx.user, ctx.workspace, name, keychain);
        if (removed) changed();
        return { removed };
      }),

    'connections.setPassword': ({ name, password }) =>
      guarded(async () => {
        const connection = await setConnectionPassword(ctx.store, ctx.user, ctx.workspace, name, password, keychain);
        changed();
        return { connection: dto(connection) };
      }),

    'connections.forgetPassword': ({ name }) =>
      guarded(async () => {
        const r = await forgetConnectionPassword(ctx.store, ctx.user, ctx.workspace, name, keychain);
        changed();
        return { removed: r.removed, connection: dto(r.connection) };
      }),

    'connections.test': ({ name, path }) =>
      guarded(async () => {
        const all = await listAllConnections(ctx.workspace);
        const c = all.find((x) => x.name === name);
        if (!c) throw new ReconError('SOURCE_NOT_CONFIGURED', `no connection named "${name}" in this workspace${all.length > 0 ? ` (saved: ${all.map((x) => x.name).join(', ')})` : ''}`, { connection: name });
        if (c.driver === 'http') {
          const { testHttpConnection } = await import('../../ingest/http/test-http-connection.ts');
          const r = await testHttpConnection(qenv(), name, path ?? '');
          return { name, kind: 'http' as const, target: r.url, ms: r.ms, server: null, tls: /^https:/i.test(r.url) ? 'https' : 'none (http://)', secretFrom: r.secretFrom, bytes: r.bytes };
        }
        if (path !== undefined && path !== '') throw new ReconError('INVALID_ARGUMENT', `a path is for HTTP connections; "${name}" is a ${c.driver} database`);
        const { testConnection } = await import('../../ingest/db/load-query.ts');
        const r = await testConnection(qenv(), name);
        return {
          name,
          kind: 'database' as const,
          target: describeConnection(r.connection),
          ms: r.ms,
          server: r.serverVersion.split('\n')[0] ?? r.serverVersion,
          tls: tlsLine(r.connection, r.encryption),
          secretFrom: r.passwordFrom,
          bytes: null,
        };
      }),

    'connections.preview': (args) => guarded(() => previewSource(qenv(), args)),
  };
}
