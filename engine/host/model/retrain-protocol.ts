import type { RetrainResult } from '../../attribution/retrain.ts';
import type { TrainingExample } from '../../attribution/training-data.ts';
import type { ReconErrorData } from '../../errors/recon-error.ts';

/** What the retrain worker needs: a scratch workspace (a copy of the current model), the labels and where to work. */
export interface RetrainRequest {
  type: 'retrain';
  /** A scratch workspace: retraining "promotes" inside it, never in the real one (model.promote does that). */
  scratch: string;
  workDir: string;
  examples: TrainingExample[];
  extraCodes: string[];
  threshold: number;
  /** A small synthetic baseline instead of the full recipe (tests and demos): seconds instead of minutes. */
  quick: boolean;
}

export type RetrainReply =
  | { type: 'progress'; message: string }
  | { type: 'done'; result: RetrainResult }
  | { type: 'error'; error: ReconErrorData };
