import { z } from 'zod';
import { defineCall } from './call.ts';
import { filePathSchema } from './ids.ts';

export const auditEventSchema = z.object({
  eventId: z.string(),
  deviceId: z.string(),
  seq: z.number(),
  actor: z.string(),
  at: z.string(),
  action: z.string(),
  target: z.string(),
  before: z.unknown(),
  after: z.unknown(),
  comment: z.string().nullable(),
  hash: z.string(),
});
export type AuditEventDto = z.infer<typeof auditEventSchema>;

/** Where the next (older) page starts. */
const cursorSchema = z.object({ at: z.string().max(40), deviceId: z.string().max(100), seq: z.number().int().positive() }).strict();
const isoTime = z.string().regex(/^\d{4}-\d{2}-\d{2}(T[\d:.]+Z?)?$/, 'an ISO date or time');

export const chainReportSchema = z.object({
  ok: z.boolean(),
  events: z.number(),
  devices: z.array(z.object({ deviceId: z.string(), events: z.number(), headSeq: z.number(), headHash: z.string() })),
  firstBreak: z.object({ deviceId: z.string(), seq: z.number(), eventId: z.string().nullable(), problem: z.string(), message: z.string() }).nullable(),
  /** Workflow rows the chain does not explain (problem STATE_MISMATCH), the first 50. */
  stateProblems: z.array(z.object({ table: z.string(), key: z.string(), message: z.string() })).optional(),
});

export const auditCalls = {
  'audit.list': defineCall({
    summary: 'A page of audit events, newest first, filtered by actor, action (or "decision." prefix), target text and time.',
    args: z
      .object({
        actor: z.string().max(256).optional(),
        action: z.string().max(64).optional(),
        target: z.string().max(200).optional(),
        from: isoTime.optional(),
        to: isoTime.optional(),
        limit: z.number().int().min(1).max(500).default(100),
        before: cursorSchema.optional(),
      })
      .strict(),
    result: z.object({
      events: z.array(auditEventSchema),
      next: cursorSchema.nullable(),
      actors: z.array(z.string()),
      actions: z.array(z.string()),
    }),
  }),
  'audit.verify': defineCall({
    summary: "Walks every device's hash chain; ok, or the first broken link (edited, deleted, inserted or reordered events).",
    args: z.object({}).strict(),
    result: chainReportSchema,
  }),
  'audit.export': defineCall({
    summary: 'Writes the trail as NDJSON to a path on the engine machine, or returns it for a download (no path); audited as export.written.',
    args: z.object({ path: filePathSchema.optional(), overwrite: z.boolean().default(false) }).strict(),
    result: z.object({ path: z.string().nullable(), events: z.number(), sha256: z.string(), content: z.string().nullable() }),
  }),
};
