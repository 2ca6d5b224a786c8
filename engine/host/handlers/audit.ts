import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ReconError } from '../../errors/recon-error.ts';
import { exportAudit } from '../../store/audit-export.ts';
import { verifyTrail } from '../../workflow/chain-state.ts';
import { recordExportWritten } from '../../workflow/events.ts';
import { asWriteError, prepareOutputPath } from '../../report/output-path.ts';
import { listAudit } from '../workflow/audit-query.ts';
import type { Handlers, HostContext } from './types.ts';

/** A download travels as one message; a larger trail is written to a path instead. */
const MAX_DOWNLOAD_BYTES = 64 * 1024 * 1024;

export function auditHandlers(ctx: HostContext): Pick<Handlers, 'audit.list' | 'audit.verify' | 'audit.export'> {
  return {
    'audit.list': async (args) => listAudit(ctx.store, args),
    'audit.verify': async () => verifyTrail(ctx.store),
    'audit.export': async ({ path, overwrite }) => {
      const download = path === undefined;
      // A path is checked as runs.export checks it (same codes, same words); the folder is created when missing.
      const out = download ? join(ctx.workspace, 'tmp', `audit-${randomUUID()}.ndjson`) : await prepareOutputPath(path, overwrite);
      if (download) await mkdir(join(ctx.workspace, 'tmp'), { recursive: true, mode: 0o700 });
      // Written under a temporary name and renamed when complete: a failed export never leaves half a file, nor destroys the one it replaces.
      const tmp = download ? out : `${out}.partial-${randomUUID().slice(0, 8)}`;
      try {
        const events = await exportAudit(ctx.store, tmp).catch((err: unknown) => Promise.reject(asWriteError(err, out)));
        const bytes = await readFile(tmp);
        if (download && bytes.length > MAX_DOWNLOAD_BYTES) {
          throw new ReconError('INVALID_ARGUMENT', `the trail is ${Math.round(bytes.length / 2 ** 20)} MB: too large to download; write it to a file path instead`);
        }
        if (!download) await rename(tmp, out).catch((err: unknown) => Promise.reject(asWriteError(err, out)));
        const sha256 = createHash('sha256').update(bytes).digest('hex');
        // Recorded after the file is complete, so the export does not contain its own event.
        recordExportWritten(ctx.store, ctx.user, { kind: 'audit', path: download ? 'download' : out, sha256, rows: events });
        ctx.emit({ type: 'workflow.changed', runId: null, what: 'audit' });
        return { path: download ? null : out, events, sha256, content: download ? bytes.toString('utf8') : null };
      } finally {
        await rm(tmp, { force: true });
      }
    },
  };
}
