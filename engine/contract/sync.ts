import { z } from 'zod';
import { defineCall } from './call.ts';
import { filePathSchema } from './ids.ts';

/**
 * Team sync (engine/sync) as the workstation shows it: the team connection
 * (kept in the workspace settings, never the password), the password in the
 * OS keychain, the sync state for the status-bar badge, the queue, the last
 * sync and parked events. The host runs the sync loop; these calls configure,
 * trigger and inspect it, and `sync.status` events keep open screens live.
 */

/** disable: plain TCP (loopback, tests); require: encrypted (CA-checked when a CA file is given); verify-full: CA and host name checked. */
export const SYNC_TLS_MODES = ['disable', 'require', 'verify-full'] as const;
export type SyncTlsMode = (typeof SYNC_TLS_MODES)[number];

/** The badge: no connection configured, not reachable, reachable, or a cycle running now. */
export const SYNC_STATES = ['disabled', 'offline', 'online', 'syncing'] as const;
export type SyncStateName = (typeof SYNC_STATES)[number];

/** Where a proposal or decision stands with the team server: only here so far, or the server's verdict. */
export const SYNC_MARKS = ['PENDING_PUSH', 'APPLIED', 'SUPERSEDED', 'REFUSED'] as const;
export type SyncMarkName = (typeof SYNC_MARKS)[number];

/** The team connection: everything but the password. */
export const syncConnectionSchema = z.object({
  host: z.string(),
  port: z.number(),
  database: z.string(),
  user: z.string(),
  tls: z.enum(SYNC_TLS_MODES),
  caFile: z.string().nullable(),
});
export type SyncConnection = z.infer<typeof syncConnectionSchema>;

/** An event (or run of events) the server did not take as it is. */
export const parkedItemSchema = z.object({
  deviceId: z.string(),
  fromSeq: z.number(),
  toSeq: z.number(),
  /** REFUSED: in the server's chain, its effect refused; nothing waits. INVALID: this device's chain waits from fromSeq. */
  kind: z.enum(['REFUSED', 'INVALID']),
  code: z.string(),
  message: z.string(),
  parkedAt: z.string(),
});
export type ParkedItemDto = z.infer<typeof parkedItemSchema>;

/** What the badge and the team panel show; also pushed as the `sync.status` event. */
export const syncStatusSchema = z.object({
  state: z.enum(SYNC_STATES),
  configured: z.boolean(),
  /** "user@host:port/database", or null. */
  server: z.string().nullable(),
  /** The PostgreSQL login this workstation signs in as: one person's own (never a shared one; docs/TEAM-LOGINS.md). */
  signedInAs: z.string().nullable(),
  /** This device's audit events the server has not acknowledged yet. */
  queueLength: z.number().int().nonnegative(),
  /** The last complete cycle (push and pull). */
  lastSyncAt: z.string().nullable(),
  lastPushAt: z.string().nullable(),
  lastPullAt: z.string().nullable(),
  /** The highest seq of this device the server holds. */
  serverSeq: z.number().nullable(),
  lastError: z.object({ code: z.string(), message: z.string(), at: z.string() }).nullable(),
  /** When the host tries again (backoff after a failure, or the next regular cycle). */
  nextAttemptAt: z.string().nullable(),
  /** Consecutive failed cycles. */
  failures: z.number().int().nonnegative(),
  parked: z.array(parkedItemSchema),
  /** Set while an INVALID park holds this device's chain: pushing waits from this seq. */
  blockedFromSeq: z.number().nullable(),
  /**
   * Set when the workspace's first pull was windowed (engine/sync/pull-scope.ts): the window's start, its recons,
   * and the other devices' events before their anchors, not pulled here (`recon sync pull --history`).
   */
  window: z
    .object({
      since: z.string(),
      recons: z.array(z.string()).nullable(),
      done: z.boolean(),
      notPulledEvents: z.number().int().nonnegative(),
      anchoredDevices: z.number().int().nonnegative(),
      historyBefore: z.string().nullable(),
    })
    .nullable()
    .optional(),
});
export type SyncStatusDto = z.infer<typeof syncStatusSchema>;

/** Is an OS keychain there, and does it hold this connection's password? */
export const keychainStateSchema = z.object({ available: z.boolean(), hasPassword: z.boolean(), message: z.string() });

/** The settings screen's view: the status plus the connection and where the password comes from. */
export const syncOverviewSchema = syncStatusSchema.extend({
  connection: syncConnectionSchema.nullable(),
  keychain: keychainStateSchema,
  /** PGPASSWORD (scripted runs; wins over the keychain), the keychain, or none stored. */
  passwordSource: z.enum(['PGPASSWORD', 'keychain', 'none']),
  /** This workspace's device id (parked items and proposals name devices). */
  deviceId: z.string(),
});
export type SyncOverview = z.infer<typeof syncOverviewSchema>;

/** Pushed whenever the sync state, the queue or the parked list changes. */
export const syncStatusEventSchema = z.object({ type: z.literal('sync.status'), status: syncStatusSchema });
export type SyncStatusEvent = z.infer<typeof syncStatusEventSchema>;

const hostSchema = z
  .string()
  .trim()
  .min(1, 'a host name or address')
  .max(255)
  .regex(/^[^\s/@:]+$|^\/\S*$|^[0-9A-Fa-f:]+$/, 'a host name, an IP address or a socket directory');
const nameSchema = (what: string) =>
  z
    .string()
    .trim()
    .min(1, what)
    .max(63)
    .regex(/^[^\s@/:]+$/, `${what} without spaces, "@", "/" or ":"`);

export const syncCalls = {
  'sync.status': defineCall({
    summary: 'Team sync: the connection (never the password), the keychain, the state, the queue, the last sync and parked events.',
    args: z.object({}).strict(),
    result: syncOverviewSchema,
  }),
  'sync.configure': defineCall({
    summary: 'Admin: saves the team connection in the workspace settings (audited as setting.changed) and restarts the sync loop with it.',
    args: z
      .object({
        host: hostSchema,
        port: z.number().int().min(1).max(65535).default(5432),
        database: nameSchema('a database name'),
        user: nameSchema('a login name'),
        tls: z.enum(SYNC_TLS_MODES).default('verify-full'),
        caFile: filePathSchema.nullable().optional(),
      })
      .strict()
      .refine((c) => c.tls !== 'verify-full' || !c.host.startsWith('/'), { message: 'verify-full needs a host name, not a socket directory', path: ['tls'] })
      .refine((c) => c.tls !== 'disable' || !c.caFile, { message: 'a CA file needs TLS (require or verify-full)', path: ['caFile'] }),
    result: syncOverviewSchema,
  }),
  'sync.login': defineCall({
    summary: "Stores the team connection's password in the OS keychain only (SYNC_KEYCHAIN_UNAVAILABLE when there is none: nothing is written anywhere), then syncs.",
    args: z.object({ password: z.string().min(1, 'a password').max(1024) }).strict(),
    result: syncOverviewSchema,
  }),
  'sync.forget': defineCall({
    summary: "Removes the team connection's password from the OS keychain.",
    args: z.object({}).strict(),
    result: z.object({ removed: z.boolean(), status: syncOverviewSchema }),
  }),
  'sync.now': defineCall({
    summary: 'Runs one sync cycle now (push, evidence, pull), or joins the one running; fails with the sync error (SYNC_OFFLINE, SYNC_AUTH_FAILED, …).',
    args: z.object({}).strict(),
    result: z.object({
      pushed: z.number(),
      pulledEvents: z.number(),
      pulled: z.object({ runs: z.number(), decisions: z.number(), approvals: z.number(), roleChanges: z.number() }),
      ms: z.number(),
      status: syncStatusSchema,
    }),
  }),
  'sync.unpark': defineCall({
    summary:
      'Clears parked events of this device: "retry" (an invalid event is pushed again on the next cycle, which starts now) or "discard" (a refused event is dismissed; an invalid one cannot be, the chain needs it).',
    args: z
      .object({
        action: z.enum(['retry', 'discard']),
        /** One parked item (its first seq); all of this device's when left out. */
        fromSeq: z.number().int().positive().optional(),
      })
      .strict(),
    result: z.object({ cleared: z.number(), status: syncStatusSchema }),
  }),
};
