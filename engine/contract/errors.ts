import { z } from 'zod';
import { ERROR_CODES } from '../errors/recon-error.ts';

/** Errors cross every boundary as data, never as thrown objects or stack traces. */
export const errorDataSchema = z.object({
  code: z.enum(ERROR_CODES),
  message: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
});
export type ErrorData = z.infer<typeof errorDataSchema>;

/** What every call answers, on every transport: a value or error data. */
export type Reply<T> = { ok: true; value: T } | { ok: false; error: ErrorData };
