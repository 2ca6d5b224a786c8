import { z } from 'zod';
import { EXPORT_FORMAT_INFO, EXPORT_FORMATS, type ExportFormat, type ExportFormatInfo } from '../report/formats.ts';
import { defineCall } from './call.ts';
import { filePathSchema, runIdSchema } from './ids.ts';
import { taskIdSchema } from './tasks.ts';

export { EXPORT_FORMAT_INFO, EXPORT_FORMATS, type ExportFormat, type ExportFormatInfo };

export const exportResultSchema = z.object({
  format: z.enum(EXPORT_FORMATS),
  path: z.string(),
  runId: z.string(),
  /** Breaks written (detailed formats) or summarized. */
  rows: z.number(),
  bytes: z.number(),
  sha256: z.string(),
  /** An export.written event is in the audit trail. */
  audited: z.boolean(),
});
export type ExportResultDto = z.infer<typeof exportResultSchema>;

export const exportsCalls = {
  'runs.export': defineCall({
    summary:
      'Writes a report of a finished run (summary, XLSX, CSV, narrative, signed evidence pack) to a path on the engine machine, by default <workspace>/exports/; audited as export.written.',
    args: z
      .object({
        runId: runIdSchema,
        format: z.enum(EXPORT_FORMATS),
        /** Where to write; default <workspace>/exports/<run id><format's ending>. */
        path: filePathSchema.optional(),
        /** Replace an existing file (default: refuse). */
        overwrite: z.boolean().default(false),
        /** Names the work for task.progress events and tasks.cancel. */
        taskId: taskIdSchema.optional(),
      })
      .strict(),
    result: exportResultSchema,
  }),
};
