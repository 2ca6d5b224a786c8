import { z } from 'zod';
import { sourceSchema } from '../definition/schema.ts';
import { defineCall } from './call.ts';
import { filePathSchema } from './ids.ts';

export const filePreviewSchema = z.object({
  path: z.string(),
  format: z.string(),
  bytes: z.number(),
  /** The delimiter used for delimited text (given or sniffed), else null. */
  delimiter: z.string().nullable(),
  columns: z.array(z.string()),
  /** The first rows, as the file spells them (every value text or null). */
  rows: z.array(z.array(z.string().nullable())),
  warnings: z.array(z.string()),
});
export type FilePreview = z.infer<typeof filePreviewSchema>;

/** A native file dialog's request (desktop app only): open a source file, or choose where to save an export. */
export const fileChoiceSchema = z
  .object({
    mode: z.enum(['open', 'save']),
    title: z.string().min(1).max(200),
    /** The folder or file the dialog starts at. */
    defaultPath: filePathSchema.optional(),
    filters: z.array(z.object({ name: z.string().min(1).max(100), extensions: z.array(z.string().regex(/^[A-Za-z0-9*]{1,10}$/)).min(1).max(20) })).max(10).optional(),
  })
  .strict();
export type FileChoice = z.infer<typeof fileChoiceSchema>;

export const filesCalls = {
  'files.preview': defineCall({
    summary: 'The columns and first rows of a source file in any supported format, with the source options applied.',
    args: z
      .object({
        path: filePathSchema,
        /** Which side the file is meant for, so errors say "source A" or "source B". */
        side: z.enum(['a', 'b']).default('a'),
        source: sourceSchema.default({}),
        limit: z.number().int().min(1).max(200).default(20),
      })
      .strict(),
    result: filePreviewSchema,
  }),
  'files.choose': defineCall({
    summary: "The desktop app's native file dialog: a path the person picked, or null when they cancelled. The browser host has none (type the path).",
    args: fileChoiceSchema,
    result: z.object({ path: z.string().nullable() }),
  }),
};
