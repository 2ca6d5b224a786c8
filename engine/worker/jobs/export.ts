import { exportRun } from '../../report/export.ts';
import type { JobRunner } from '../serve.ts';
import { asInputLimit } from './input-limit.ts';

/** One export of a finished run; a cancelled export leaves no partial file (exportRun writes a temporary name, then renames). */
export const exportJob: JobRunner<'export'> = (request, { signal, progress }) =>
  exportRun(request, { signal, onProgress: (p) => progress({ label: p.label, overall: p.overall, rowsDone: p.rowsDone, rowsTotal: p.rowsTotal }) }).catch((err: unknown) => {
    throw asInputLimit('export', err);
  });
