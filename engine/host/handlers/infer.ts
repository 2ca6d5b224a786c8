import { resolve } from 'node:path';
import { checkInputFile } from '../../ingest/source-file.ts';
import type { Handlers, HostContext } from './types.ts';

/** definitions.infer: inference on the task worker; progress as task.progress events under the caller's task id. */
export function inferHandlers(ctx: HostContext): Pick<Handlers, 'definitions.infer'> {
  return {
    'definitions.infer': async ({ aPath, bPath, sampleRows, seed, taskId }) => {
      // A missing, empty or unreadable file is answered at once, as the worker would, without starting one.
      await checkInputFile(resolve(aPath), 'a');
      await checkInputFile(resolve(bPath), 'b');
      return ctx.tasks.infer(
        {
          aPath: resolve(aPath),
          bPath: resolve(bPath),
          ...(sampleRows !== undefined ? { sampleRows } : {}),
          ...(seed !== undefined ? { seed } : {}),
        },
        taskId,
      );
    },
  };
}
