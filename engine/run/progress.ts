/** Stages of a run, in order, for progress bars in every host. */
export const RUN_STAGES = ['prepare', 'ingest-a', 'ingest-b', 'normalize', 'diff', 'checks', 'attribute', 'write'] as const;
export type RunStage = (typeof RUN_STAGES)[number];

/** One progress message: the stage, and rows done out of a total when known. */
export interface ProgressEvent {
  stage: RunStage;
  label: string;
  rowsDone: number;
  rowsTotal: number | undefined;
  /** 0..1 over the whole run, for a single bar. */
  overall: number;
}

export type ProgressSink = (e: ProgressEvent) => void;

/** Share of the whole run each stage takes, roughly, for the overall bar. */
const WEIGHTS: Record<RunStage, number> = {
  prepare: 0.02,
  'ingest-a': 0.05,
  'ingest-b': 0.05,
  normalize: 0.45,
  diff: 0.25,
  checks: 0.08,
  attribute: 0.08,
  write: 0.02,
};

/** Overall fraction at `fraction` of the way through `stage`. */
export function overallProgress(stage: RunStage, fraction: number): number {
  let before = 0;
  for (const s of RUN_STAGES) {
    if (s === stage) break;
    before += WEIGHTS[s];
  }
  return Math.min(1, before + WEIGHTS[stage] * Math.max(0, Math.min(1, fraction)));
}
