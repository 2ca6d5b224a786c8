import { z } from 'zod';

/**
 * A run id names a file under `<workspace>/runs/`, so it may hold no path
 * separator and no dot-dot: letters, digits, '.', '_' and '-', starting with a
 * letter or digit.
 */
export const runIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'a run id: letters, digits, ".", "_" or "-"')
  .refine((s) => !s.includes('..'), 'a run id cannot contain ".."');

/** A path on the machine running the engine (the browser host has no file dialog). */
export const filePathSchema = z.string().trim().min(1, 'a file path').max(4096);
