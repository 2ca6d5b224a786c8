import { z } from 'zod';
import { CONNECTION_NAME, sourceSchema } from '../definition/schema.ts';
import { defineCall } from './call.ts';
import { filePreviewSchema } from './files.ts';
import { filePathSchema } from './ids.ts';

/**
 * The workspace's saved connections for query and HTTP sources
 * (engine/ingest/db/connections.ts, `<workspace>/connections.json`), as the
 * Settings screen and the new-run screen use them. A password or secret goes
 * one way only: renderer → host → OS keychain. No call returns one, and an
 * HTTP header value that holds no `{secret}` template (it may be a literal
 * token someone typed) is never sent back either.
 */

export const CONNECTION_DRIVERS = ['postgres', 'mysql'] as const;
export const CONNECTION_TLS_MODES = ['disable', 'require', 'verify'] as const;

const connectionNameSchema = z.string().regex(CONNECTION_NAME, 'a connection name: 1 to 64 letters, digits, ".", "_" or "-"');
const text = (what: string, max = 255) => z.string().trim().min(1, what).max(max);
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/;

/** Where the password (or an HTTP connection's {secret}) comes from on this host, never the value. */
export const connectionSecretSchema = z.object({
  /** The connection's own environment variable (scripted runs), which wins over the keychain. */
  envVar: z.string(),
  /** "$RECON_SOURCE_PASSWORD_LEDGER", "$PGPASSWORD", "the OS keychain" or "none". */
  from: z.string(),
  /** The OS keychain holds one for this connection. */
  stored: z.boolean(),
  /** Why the keychain could not be asked, when it could not. */
  keychainError: z.string().nullable(),
  /** An HTTP connection whose headers use no {secret} needs none. */
  needed: z.boolean(),
});

export const databaseConnectionSchema = z.object({
  name: z.string(),
  driver: z.enum(CONNECTION_DRIVERS),
  host: z.string(),
  port: z.number(),
  database: z.string(),
  user: z.string(),
  tls: z.enum(CONNECTION_TLS_MODES),
  caFile: z.string().nullable(),
  connectTimeoutSeconds: z.number(),
  queryTimeoutSeconds: z.number(),
  secret: connectionSecretSchema,
});

export const httpConnectionDtoSchema = z.object({
  name: z.string(),
  driver: z.literal('http'),
  baseUrl: z.string(),
  /** Header names with their templates; null where the value holds no {secret} (kept on the host, not shown). */
  headers: z.array(z.object({ name: z.string(), value: z.string().nullable() })),
  timeoutSeconds: z.number(),
  retries: z.number(),
  secret: connectionSecretSchema,
});

export const connectionDtoSchema = z.union([databaseConnectionSchema, httpConnectionDtoSchema]);
export type ConnectionDto = z.infer<typeof connectionDtoSchema>;

/** A database connection as an admin saves it (no password: that is connections.setPassword). */
const databaseConnectionInput = z
  .object({
    name: connectionNameSchema,
    driver: z.enum(CONNECTION_DRIVERS),
    host: text('a host name or address'),
    port: z.number().int().min(1).max(65535).optional(),
    database: text('a database'),
    user: text('a user'),
    tls: z.enum(CONNECTION_TLS_MODES).default('disable'),
    /** Read by the TLS client only, never shown back as content: an admin's setting, like sync.configure's caFile. */
    caFile: filePathSchema.nullable().optional(),
    connectTimeoutSeconds: z.number().int().min(1).max(3600).optional(),
    queryTimeoutSeconds: z.number().int().min(1).max(86_400).optional(),
  })
  .strict()
  .refine((c) => c.tls !== 'disable' || !c.caFile, { message: 'a CA file needs TLS (require or verify)', path: ['caFile'] });

/** An HTTP connection as an admin saves it. A header value null keeps the value saved before (one the list does not show). */
const httpConnectionInput = z
  .object({
    name: connectionNameSchema,
    driver: z.literal('http'),
    baseUrl: z.string().trim().min(1, 'a base URL').max(2000),
    headers: z
      .array(z.object({ name: z.string().regex(HEADER_NAME, 'a header name'), value: z.string().max(8000).nullable() }).strict())
      .max(50)
      .default([]),
    timeoutSeconds: z.number().int().min(1).max(3600).optional(),
    retries: z.number().int().min(0).max(10).optional(),
  })
  .strict();

export const connectionInputSchema = z.union([databaseConnectionInput, httpConnectionInput]);
export type ConnectionInputDto = z.input<typeof connectionInputSchema>;

/** What connections.test found: the server and the session, or the HTTP answer. */
export const connectionTestSchema = z.object({
  name: z.string(),
  kind: z.enum(['database', 'http']),
  /** "postgres://user@host:5432/db", or the URL asked (secrets redacted). */
  target: z.string(),
  ms: z.number(),
  /** The database server's version (first line); null for HTTP. */
  server: z.string().nullable(),
  /** "TLSv1.3, certificate verified against …", "off (tls disable)"; for HTTP, whether the URL is https. */
  tls: z.string(),
  /** Where the password or secret came from: "$RECON_SOURCE_PASSWORD_…", "the OS keychain", "none". */
  secretFrom: z.string(),
  /** HTTP: the size of the answer's body. */
  bytes: z.number().nullable(),
});
export type ConnectionTestDto = z.infer<typeof connectionTestSchema>;

/** The first rows of a query or HTTP source, with each column's database type where the database declares one. */
export const sourcePreviewSchema = filePreviewSchema.extend({
  /** The database's own type per column ("numeric(18,2)"); null for HTTP sources, whose types the definition decides. */
  dbTypes: z.array(z.string().nullable()),
});
export type SourcePreview = z.infer<typeof sourcePreviewSchema>;

export const connectionsCalls = {
  'connections.list': defineCall({
    summary: "The workspace's saved database and HTTP connections (never a password), each with where its password would come from on this host.",
    args: z.object({}).strict(),
    result: z.object({ connections: z.array(connectionDtoSchema) }),
  }),
  'connections.save': defineCall({
    summary: 'Adds or replaces a connection (admin only, audited as connection.saved).',
    args: z.object({ connection: connectionInputSchema }).strict(),
    result: z.object({ connection: connectionDtoSchema, created: z.boolean() }),
  }),
  'connections.remove': defineCall({
    summary: 'Forgets a connection and its stored password (admin only, audited as connection.removed).',
    args: z.object({ name: connectionNameSchema }).strict(),
    result: z.object({ removed: z.boolean() }),
  }),
  'connections.setPassword': defineCall({
    summary: "Stores a connection's password or {secret} in the OS keychain and nowhere else (admin only, audited without the value).",
    args: z.object({ name: connectionNameSchema, password: z.string().min(1, 'a password').max(8192) }).strict(),
    result: z.object({ connection: connectionDtoSchema }),
  }),
  'connections.forgetPassword': defineCall({
    summary: "Removes a connection's password from the OS keychain (admin only, audited).",
    args: z.object({ name: connectionNameSchema }).strict(),
    result: z.object({ removed: z.boolean(), connection: connectionDtoSchema }),
  }),
  'connections.test': defineCall({
    summary: 'Logs in and runs SELECT 1 (a database), or one GET of the base URL or a path under it (HTTP): what answered, or the clear error.',
    args: z.object({ name: connectionNameSchema, path: z.string().max(2000).optional() }).strict(),
    result: connectionTestSchema,
  }),
  'connections.preview': defineCall({
    summary: "The first rows of a query source (the query under a LIMIT) or an HTTP source (its first page), on one of the workspace's saved connections.",
    args: z
      .object({
        side: z.enum(['a', 'b']).default('a'),
        source: sourceSchema,
        limit: z.number().int().min(1).max(200).default(20),
      })
      .strict(),
    result: sourcePreviewSchema,
  }),
};
