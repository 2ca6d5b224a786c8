import { runRecon } from '../../run/run-recon.ts';
import type { JobRunner } from '../serve.ts';

/** A whole recon; a cancelled run deletes its file (runRecon does). */
export const runJob: JobRunner<'run'> = (request, { signal, progress }) =>
  runRecon(request, {
    signal,
    onProgress: (event) => progress({ type: 'stage', event }),
    onFingerprints: (inputs) => progress({ type: 'fingerprints', inputs }),
    onCarried: (fromRunId, carried) => progress({ type: 'carried', fromRunId, carried }),
  });
