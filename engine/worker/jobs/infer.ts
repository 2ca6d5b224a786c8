import { inferDefinition } from '../../infer/infer.ts';
import type { JobRunner } from '../serve.ts';
import { asInputLimit } from './input-limit.ts';

/** Definition inference on two sample files. */
export const inferJob: JobRunner<'infer'> = (request, { signal, progress }) =>
  inferDefinition(request, { signal, onProgress: (p) => progress({ label: p.label, overall: p.overall, rowsDone: null, rowsTotal: null }) }).catch((err: unknown) => {
    throw asInputLimit('inference', err);
  });
