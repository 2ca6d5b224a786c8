import { z } from 'zod';
import { modelFinishedEventSchema, modelProgressEventSchema } from './model.ts';
import { workflowChangedEventSchema } from './review.ts';
import { runFinishedEventSchema, runProgressEventSchema } from './runs.ts';
import { syncStatusEventSchema } from './sync.ts';
import { taskProgressEventSchema } from './tasks.ts';

/**
 * Every message the host pushes without being asked, discriminated by `type`.
 * Add new events here (e.g. an audit-sync status) and every transport carries them.
 */
export const contractEventSchema = z.discriminatedUnion('type', [
  runProgressEventSchema,
  runFinishedEventSchema,
  workflowChangedEventSchema,
  modelProgressEventSchema,
  modelFinishedEventSchema,
  syncStatusEventSchema,
  taskProgressEventSchema,
]);
export type ContractEvent = z.infer<typeof contractEventSchema>;
export type ContractEventType = ContractEvent['type'];
export type EventOf<T extends ContractEventType> = Extract<ContractEvent, { type: T }>;
