/**
 * Sync errors are data with a stable code, like ReconError. Each says whether
 * it is transient: the engine retries transient ones with backoff (the server
 * is down, restarting, unreachable) and reports the others (wrong password,
 * missing schema) until the user changes something.
 */
import { ERROR_CODES, type ErrorCode } from '../errors/recon-error.ts';

/** The SYNC_* codes of the shared list (engine/errors/recon-error.ts), so they cross hosts as data. */
export type SyncErrorCode = Extract<ErrorCode, `SYNC_${string}`>;
export const SYNC_ERROR_CODES: readonly SyncErrorCode[] = ERROR_CODES.filter((c): c is SyncErrorCode => c.startsWith('SYNC_'));

/** A sync failure with a stable code; `transient` failures are retried with backoff. */
export class SyncError extends Error {
  readonly code: SyncErrorCode;
  readonly transient: boolean;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: SyncErrorCode, message: string, opts: { transient?: boolean; details?: Record<string, unknown>; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'SyncError';
    this.code = code;
    this.transient = opts.transient ?? false;
    this.details = opts.details;
  }

  toData(): { code: SyncErrorCode; message: string; details?: Record<string, unknown> } {
    return this.details === undefined ? { code: this.code, message: this.message } : { code: this.code, message: this.message, details: this.details };
  }
}

// Socket-level failures: the server is unreachable or went away mid-call.
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED']);

/** A pg/socket error as a SyncError (already-classified errors pass through). */
export function classifyError(err: unknown): SyncError {
  if (err instanceof SyncError) return err;
  const e = err as { code?: unknown; message?: unknown };
  const code = typeof e.code === 'string' ? e.code : '';
  const message = typeof e.message === 'string' ? e.message : String(err);
  // Another process holds the workspace's write lock (STORE_BUSY): try again later.
  if (code === 'STORE_BUSY') return new SyncError('SYNC_LOCAL_BUSY', `the workspace store is busy: ${message}`, { transient: true, cause: err });
  const offline = (why: string): SyncError => new SyncError('SYNC_OFFLINE', `team server unreachable: ${why}`, { transient: true, cause: err, details: { cause: code || message } });
  if (NETWORK_CODES.has(code) || /Connection terminated|connection timeout|timeout expired|Query read timeout|socket hang up|Client has encountered a connection error/i.test(message)) {
    return offline(message);
  }
  // SQLSTATE classes: 08 connection, 57P admin shutdown / crash / starting up, 53 resources, 40 rollback (serialization, deadlock).
  if (/^(08|57P|53|40)/.test(code)) return offline(message);
  if (code === '28P01' || code === '28000') return new SyncError('SYNC_AUTH_FAILED', `the team server refused the login: ${message}. Run "recon sync login" to store the right password.`, { cause: err });
  if (code === '3F000' || code === '42P01' || code === '42883') {
    return new SyncError('SYNC_SERVER_SCHEMA', `the team server has no recon schema (or an older one): ${message}. An administrator runs "recon sync init".`, { cause: err });
  }
  if (code === '42501') return new SyncError('SYNC_PERMISSION', `the sync login lacks a privilege: ${message} (see engine/sync/README.md for the grants)`, { cause: err });
  if (/SSL|TLS|certificate|self[- ]signed/i.test(message)) return new SyncError('SYNC_TLS', `TLS to the team server failed: ${message}`, { cause: err });
  return new SyncError('SYNC_PROTOCOL', `team sync failed: ${message}`, { cause: err, details: code ? { sqlstate: code } : undefined });
}

/** The SQLSTATE of a pg error, if any. */
export function sqlState(err: unknown): string | undefined {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}
