import { z } from 'zod';
import { CONNECTION_NAME } from '../../definition/schema.ts';
import type { Keychain } from '../../sync/credentials.ts';

/**
 * A saved HTTP connection (`recon source add-connection NAME --driver http`):
 * a base URL and header templates. A header may hold `{secret}`, filled at run
 * time from $RECON_SOURCE_PASSWORD_<NAME> or the OS keychain: the workspace file
 * never holds the token itself.
 */

export const DEFAULT_HTTP_TIMEOUT_SECONDS = 30;
export const DEFAULT_HTTP_RETRIES = 3;
export const SECRET_PLACEHOLDER = '{secret}';

/** Header names a person may send; values are free text (a template). */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export const httpConnectionSchema = z
  .object({
    name: z.string().regex(CONNECTION_NAME),
    driver: z.literal('http'),
    baseUrl: z.string().refine((u) => /^https?:\/\//i.test(u) && URL.canParse(u), 'an http:// or https:// URL'),
    headers: z.record(z.string().regex(HEADER_NAME, 'a header name'), z.string()).default({}),
    /** Seconds one request may take, its body included. */
    timeoutSeconds: z.number().int().min(1).max(3600).default(DEFAULT_HTTP_TIMEOUT_SECONDS),
    /** Tries after the first, for an answer 429 or 5xx. */
    retries: z.number().int().min(0).max(10).default(DEFAULT_HTTP_RETRIES),
  })
  .strict()
  .superRefine((c, ctx) => {
    const u = URL.canParse(c.baseUrl) ? new URL(c.baseUrl) : undefined;
    // A password in the URL would be written to connections.json.
    if (u && (u.username || u.password)) ctx.addIssue({ code: 'custom', path: ['baseUrl'], message: 'no user or password in the URL: put the secret in a header as {secret}' });
  });

export type HttpConnection = z.infer<typeof httpConnectionSchema>;
export type HttpConnectionInput = z.input<typeof httpConnectionSchema>;

/** The keychain account of an HTTP connection's secret. */
export function httpKeychainAccount(c: HttpConnection): string {
  return `source:${c.name}:http:${c.baseUrl}`;
}

/** Whether any header needs the secret. */
export function needsSecret(headers: Record<string, string>): boolean {
  return Object.values(headers).some((v) => v.includes(SECRET_PLACEHOLDER));
}

/** The headers to send, `{secret}` filled in. */
export function fillHeaders(headers: Record<string, string>, secret: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) out[k] = v.split(SECRET_PLACEHOLDER).join(secret ?? '');
  return out;
}

/** The secret: the connection's own environment variable, then the OS keychain. */
export function resolveHttpSecret(
  c: HttpConnection,
  envName: string,
  env: NodeJS.ProcessEnv,
  keychain: Keychain | undefined,
): { secret: string | undefined; origin: string; keychainError?: string } {
  if (env[envName]) return { secret: env[envName], origin: `$${envName}` };
  if (!keychain) return { secret: undefined, origin: 'none' };
  try {
    const stored = keychain.get(httpKeychainAccount(c));
    return stored ? { secret: stored, origin: 'the OS keychain' } : { secret: undefined, origin: 'none' };
  } catch (err) {
    return { secret: undefined, origin: 'none', keychainError: (err as Error).message };
  }
}

/** `Authorization: Bearer {secret}` → ["Authorization", "Bearer {secret}"]. */
export function parseHeaderArg(arg: string): [string, string] {
  const i = arg.indexOf(':');
  const name = i > 0 ? arg.slice(0, i).trim() : '';
  if (!HEADER_NAME.test(name)) throw new Error(`--header ${JSON.stringify(arg)}: expected "Name: value", e.g. "Authorization: Bearer {secret}"`);
  return [name, arg.slice(i + 1).trim()];
}

/**
 * A URL as the run records it: no user or password, and the value of any query
 * parameter whose name suggests a secret (token, key, signature…) replaced by "***".
 */
export function redactUrl(url: string): string {
  const u = new URL(url);
  u.username = '';
  u.password = '';
  for (const k of [...u.searchParams.keys()]) {
    if (/token|key|secret|passw|sig|auth|credential/i.test(k)) u.searchParams.set(k, '***');
  }
  return u.toString();
}
