import { join } from 'node:path';
import { EXPORT_FORMAT_INFO } from '../../contract/index.ts';
import { prepareOutputPath } from '../../report/output-path.ts';
import type { Handlers, HostContext } from './types.ts';

/** Where an export goes when the caller names no path: <workspace>/exports/<run id><format's ending>. */
export function defaultExportPath(workspace: string, runId: string, format: keyof typeof EXPORT_FORMAT_INFO): string {
  return join(workspace, 'exports', `${runId}${EXPORT_FORMAT_INFO[format].extension}`);
}

/**
 * runs.export: a report of a completed run of this workspace, written on the
 * task worker (exportRun writes to a temporary name and renames it, so a
 * failed or cancelled export leaves no file) and audited as export.written.
 */
export function exportsHandlers(ctx: HostContext): Pick<Handlers, 'runs.export' | 'tasks.cancel'> {
  return {
    'runs.export': async ({ runId, format, path, overwrite, taskId }) => {
      ctx.runs.completed(runId);
      // A run pulled from another workstation has no file here: this names the device.
      ctx.runs.databasePath(runId);
      // Checked here, before a worker starts: a path that cannot be written is answered as data naming its folder.
      const out = await prepareOutputPath(path ?? defaultExportPath(ctx.workspace, runId, format), overwrite);
      return ctx.tasks.export({ workspace: ctx.workspace, runId, format, out, actor: ctx.user }, taskId);
    },
    'tasks.cancel': async ({ taskId }) => ({ cancelled: ctx.tasks.cancel(taskId) }),
  };
}
