import { z } from 'zod';
import { defineCall } from './call.ts';

export const HOST_KINDS = ['electron', 'browser', 'test'] as const;

export const appCalls = {
  'app.version': defineCall({
    summary: 'The app and engine versions, which host serves the UI, and the workspace folder.',
    args: z.object({}).strict(),
    result: z.object({ version: z.string(), duckdb: z.string(), host: z.enum(HOST_KINDS), workspace: z.string() }),
  }),
};
