import { clipText } from './quote.ts';

/**
 * Domain errors cross every boundary (worker, CLI, IPC, HTTP) as plain data:
 * `{ code, message, details }`. Codes are stable; messages are for people.
 */
export const ERROR_CODES = [
  // Team sync (engine/sync/errors.ts raises these as SyncError; its code list is the SYNC_ ones here).
  'SYNC_NOT_CONFIGURED',
  'SYNC_OFFLINE',
  'SYNC_AUTH_FAILED',
  'SYNC_NO_PASSWORD',
  'SYNC_KEYCHAIN_UNAVAILABLE',
  'SYNC_SERVER_SCHEMA',
  'SYNC_PERMISSION',
  'SYNC_TLS',
  'SYNC_PROTOCOL',
  'SYNC_REMOTE_CHAIN_BROKEN',
  // This device's signing key is unusable (a key file readable by others, not Ed25519) or another than the server registered.
  'SYNC_DEVICE_KEY',
  'SYNC_INVALID_SETTINGS',
  'SYNC_LOCAL_BUSY',
  'INPUT_NOT_FOUND',
  'INPUT_UNREADABLE',
  'INPUT_PARSE_ERROR',
  'INPUT_EMPTY',
  // An input past a size limit: an XLSX that expands too far, a row longer than the reader takes.
  'INPUT_TOO_LARGE',
  'DEFINITION_INVALID',
  'COLUMN_NOT_FOUND',
  // A query source (engine/ingest/db): no such saved connection; the server refused the login; it could not be
  // reached; the query failed; it ran past its timeout; the connection dropped while rows were streaming.
  'SOURCE_NOT_CONFIGURED',
  'SOURCE_AUTH_FAILED',
  'SOURCE_UNREACHABLE',
  'SOURCE_QUERY_FAILED',
  'SOURCE_TIMEOUT',
  'SOURCE_CONNECTION_LOST',
  // The ClickHouse cluster of `recon run --engine clickhouse` (engine/clickhouse): not reachable, the login refused, a statement failed.
  'CLUSTER_UNREACHABLE',
  'CLUSTER_AUTH_FAILED',
  'CLUSTER_QUERY_FAILED',
  'RUN_CANCELLED',
  'RUN_NOT_FOUND',
  'INTERNAL_ERROR',
  // Workflow store and review (engine/store, engine/workflow).
  'STORE_BUSY',
  'STORE_SCHEMA_NEWER',
  'STORE_MIGRATION_CHANGED',
  'STORE_DEVICE_MISMATCH',
  'AUDIT_CHAIN_BROKEN',
  'FORBIDDEN_ROLE',
  'FORBIDDEN_SELF_APPROVAL',
  'ILLEGAL_TRANSITION',
  'NOT_FOUND',
  'COMMENT_REQUIRED',
  'REASON_REQUIRED',
  'REASON_UNKNOWN',
  'LAST_ADMIN',
  // A system reason code (UNKNOWN, MISSING_IN_A…) the engine assigns itself: it cannot be retired.
  'REASON_CODE_SYSTEM',
  // Where an export goes: a path that cannot be written (a folder, a path through a file, no permission)…
  'EXPORT_PATH_INVALID',
  // …or a file that is there already and the caller did not ask to replace.
  'EXPORT_PATH_EXISTS',
  'INVALID_ARGUMENT',
  // A matching call (matching.*) on a run whose definition has no `matching` block.
  'NOT_A_MATCHING_RUN',
  // A manual match or unmatch on rows or a match that are not free for it now (matched, or held by a pending action).
  'MATCH_CONFLICT',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** Where in an input a problem sits; any part may be unknown. */
export interface InputLocation {
  file?: string;
  line?: number;
  column?: string;
}

export interface ReconErrorData {
  code: ErrorCode;
  message: string;
  details?: Record<string, unknown>;
}

/**
 * The longest message an error carries. Quoted values are cut where they are quoted
 * (errors/quote.ts); this catches any message that still quotes too much (a parser's
 * message echoing a whole line, a long list), so none can grow with the input.
 */
export const MAX_MESSAGE_CHARS = 10_000;

export class ReconError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(clipText(message, MAX_MESSAGE_CHARS));
    this.name = 'ReconError';
    this.code = code;
    this.details = details;
  }

  toData(): ReconErrorData {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

/**
 * Codes that are not the user's input: the environment or the data on disk
 * (a busy or newer store, an edited migration, a broken audit chain).
 */
const NOT_INPUT_ERRORS: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'INTERNAL_ERROR',
  'RUN_CANCELLED',
  'STORE_BUSY',
  'STORE_SCHEMA_NEWER',
  'STORE_MIGRATION_CHANGED',
  'STORE_DEVICE_MISMATCH',
  'AUDIT_CHAIN_BROKEN',
]);

/** Errors the user caused by their input (exit code 2 in the CLI). */
export function isInputError(code: ErrorCode): boolean {
  return !NOT_INPUT_ERRORS.has(code);
}

/** Turns anything thrown into error data without leaking a stack trace to users. */
export function toErrorData(err: unknown): ReconErrorData {
  if (err instanceof ReconError) return err.toData();
  if (isErrorData(err)) return err;
  const message = clipText(err instanceof Error ? err.message : String(err), MAX_MESSAGE_CHARS);
  return { code: 'INTERNAL_ERROR', message };
}

export function isErrorData(value: unknown): value is ReconErrorData {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { code?: unknown }).code === 'string' &&
    typeof (value as { message?: unknown }).message === 'string' &&
    (ERROR_CODES as readonly string[]).includes((value as { code: string }).code)
  );
}

/** Formats "file, line N, column C: message" for people. */
export function describeLocation(loc: InputLocation): string {
  const parts: string[] = [];
  if (loc.file !== undefined) parts.push(loc.file);
  if (loc.line !== undefined) parts.push(`line ${loc.line}`);
  if (loc.column !== undefined) parts.push(`column "${loc.column}"`);
  return parts.join(', ');
}
