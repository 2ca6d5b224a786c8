import { z } from 'zod';
import { defineCall } from './call.ts';

/**
 * Long calls (inference, exports) run on a worker thread in the host. The
 * caller may name the work with a task id of its own: progress then arrives
 * as `task.progress` events with that id, and `tasks.cancel` stops it (the
 * call then fails with RUN_CANCELLED, the engine's cancellation code).
 */
export const taskIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'a task id: letters, digits, "_" or "-"');

export const TASK_KINDS = ['infer', 'export'] as const;

export const taskProgressEventSchema = z.object({
  type: z.literal('task.progress'),
  taskId: z.string(),
  kind: z.enum(TASK_KINDS),
  label: z.string(),
  /** 0..1, never moving back. */
  overall: z.number(),
  rowsDone: z.number().nullable(),
  rowsTotal: z.number().nullable(),
});
export type TaskProgressEvent = z.infer<typeof taskProgressEventSchema>;

export const tasksCalls = {
  'tasks.cancel': defineCall({
    summary: 'Stops a running inference or export started with this task id; the call that started it fails as cancelled.',
    args: z.object({ taskId: taskIdSchema }).strict(),
    result: z.object({ cancelled: z.boolean() }),
  }),
};
