/**
 * Retraining's progress: named stages in a fixed order, each with a
 * determinate fraction, so the Model panel and the CLI draw a real bar
 * ("Training trees: 23 of 60") instead of a spinner.
 */
export const RETRAIN_STAGES = ['labels', 'features', 'training', 'scoring', 'promoting'] as const;
export type RetrainStage = (typeof RETRAIN_STAGES)[number];

/** What a stage is called on screen. */
export const RETRAIN_STAGE_TITLES: Record<RetrainStage, string> = {
  labels: 'Reading labels',
  features: 'Building features',
  training: 'Training trees',
  scoring: 'Scoring',
  promoting: 'Promoting',
};

export interface RetrainProgress {
  stage: RetrainStage;
  /** Done within the stage, 0…1. */
  fraction: number;
  message: string;
}

/** Reports stages and steps; log lines (the CLI's, the job's log) go through `log` as well. */
export class RetrainReporter {
  #stage: RetrainStage = 'labels';
  #lastPost = 0;

  constructor(
    private readonly onProgress?: (p: RetrainProgress) => void,
    private readonly onLog?: (s: string) => void,
  ) {}

  /** Enters `stage` at fraction 0. */
  stage(stage: RetrainStage, message: string): void {
    this.#stage = stage;
    this.#lastPost = 0;
    this.onLog?.(`${RETRAIN_STAGE_TITLES[stage]}: ${message}`);
    this.onProgress?.({ stage, fraction: 0, message });
  }

  /** A step within the current stage; steps closer than 100 ms apart are not all posted (a bar needs no more), the last one always. */
  step(fraction: number, message: string): void {
    const now = performance.now();
    if (fraction < 1 && now - this.#lastPost < 100) return;
    this.#lastPost = now;
    this.onProgress?.({ stage: this.#stage, fraction: Math.min(1, Math.max(0, fraction)), message });
  }

  /** A line for the log only. */
  log(s: string): void {
    this.onLog?.(s);
  }
}
