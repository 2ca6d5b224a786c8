import type { ModelMetrics } from '../../attribution/metrics.ts';
import type { CallResult } from '../../contract/index.ts';
import { readModelInfo } from '../../host/model/model-info.ts';
import type { HeldOutSet } from '../../training/held-out.ts';
import { retrainWorkspaceModel, type RetrainInput, type RetrainResult } from '../../training/retrain.ts';
import { RETRAIN_STAGES, RETRAIN_STAGE_TITLES, type RetrainProgress } from '../../training/retrain-progress.ts';
import { openWorkspaceStore } from '../open-store.ts';
import { onStopSignals, STOP_SIGNALS } from '../stop-signals.ts';

/**
 * `recon model train` and `recon model info`: the retraining with its stages
 * drawn as a bar (stderr), Ctrl-C as the panel's Cancel, and the figures
 * printed with the held-out set they are on, the same set the Model panel
 * names (engine/training/held-out.ts).
 */

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
const n = (x: number): string => x.toLocaleString('en-US');

/** "11,484 held-out breaks (11,470 baseline held-out + 14 of your labels)". */
export function describeHeldOut(h: Pick<HeldOutSet, 'baseline' | 'workspace'>): string {
  return `${n(h.baseline + h.workspace)} held-out breaks (${n(h.baseline)} baseline held-out + ${n(h.workspace)} of your labels)`;
}

/** Retrains with progress on stderr; a stop signal cancels it and leaves the current model as it was (exit 128 + signal). */
export async function runTraining(input: Omit<RetrainInput, 'progress' | 'signal' | 'log'>, json: boolean): Promise<number> {
  const abort = new AbortController();
  const signals = onStopSignals((signal) => {
    process.stderr.write(`\nrecon: ${signal}: stopping the retraining; the current model stays as it was\n`);
    abort.abort();
  });
  const bar = progressLine(process.stderr);
  let r: RetrainResult;
  try {
    r = await retrainWorkspaceModel({ ...input, progress: bar.update, signal: abort.signal, ...(json ? {} : { log: (s: string) => bar.log(s) }) });
  } catch (err) {
    bar.done();
    if (signals.received) {
      process.stderr.write('Retraining cancelled: nothing was promoted.\n');
      return STOP_SIGNALS[signals.received];
    }
    throw err;
  } finally {
    signals.dispose();
  }
  bar.done();
  if (json) {
    process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
    return 0;
  }
  const line = (name: string, m: ModelMetrics): string => `  ${name.padEnd(28)} accuracy ${pct(m.accuracy)}, auto ${pct(m.autoRate)}, auto accuracy ${pct(m.autoAccuracy)}`;
  const t = r.timings;
  process.stdout.write(
    [
      `On ${describeHeldOut(r.heldOut)}, threshold ${r.candidate.metrics.threshold}:`,
      line(`new ${r.candidate.version}`, r.candidate.metrics),
      line(`current ${r.current.version}`, r.current.metrics),
      r.promoted ? `Promoted: ${r.path} is now models/current.json` : 'Not promoted: the new model is worse than the current one on the held-out set.',
      `Retrained in ${(t.totalMs / 1000).toFixed(1)} s (labels ${(t.labelsMs / 1000).toFixed(1)} s, baseline data ${(t.baselineMs / 1000).toFixed(1)} s, trees ${(t.trainMs / 1000).toFixed(1)} s, scoring ${(t.scoreMs / 1000).toFixed(1)} s)`,
    ].join('\n') + '\n',
  );
  return 0;
}

/** `recon model info`: the current model and its figures on the workspace's held-out set, as the Model panel shows them. */
export async function modelInfo(workspace: string, json: boolean): Promise<number> {
  const store = openWorkspaceStore(workspace);
  let info: Omit<CallResult<'model.info'>, 'job'>;
  try {
    info = await readModelInfo(workspace, store);
  } finally {
    store.close();
  }
  if (json) {
    process.stdout.write(`${JSON.stringify(info, null, 2)}\n`);
    return 0;
  }
  const m = info.metrics;
  const h = info.heldOut;
  const lines = [
    `Model ${info.version}${info.baseline ? ' (shipped baseline)' : ''}, trained ${info.trainedAt.slice(0, 10)} on ${n(info.trainingSetSize)} labelled breaks, ${info.classes.length} reasons`,
    ...(m && h
      ? [
          `On ${describeHeldOut(h)}, threshold ${m.threshold}${h.measuredAt ? `, measured ${h.measuredAt.slice(0, 16).replace('T', ' ')}` : ''}:`,
          `  accuracy (best guess)        ${pct(m.accuracy)}`,
          `  auto-attributed             ${pct(m.autoRate)}`,
          `  accuracy of auto-attributed ${pct(m.autoAccuracy)}`,
          ...(h.upToDate ? [] : ['  Your labels changed since: `recon model train` measures the current and a new model on the new held-out set.']),
        ]
      : m
        ? [`On ${n(m.evaluated)} held-out breaks of an earlier held-out set: accuracy ${pct(m.accuracy)}, auto ${pct(m.autoRate)}, auto accuracy ${pct(m.autoAccuracy)}`]
        : ['No held-out figures: `recon model train` measures them.']),
    `Labels: ${n(info.labels)} accepted or overridden breaks can teach the next model`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

/** One bar line on a TTY ("[###---]  40% Training trees: 24 of 60 (3/5)"); elsewhere one line per stage. Log lines print above it. */
function progressLine(stream: NodeJS.WriteStream): { update: (p: RetrainProgress) => void; log: (s: string) => void; done: () => void } {
  const tty = stream.isTTY === true;
  let drawn = false;
  const clear = (): void => {
    if (tty && drawn) stream.write('\r\x1b[2K');
    drawn = false;
  };
  return {
    update(p) {
      if (!tty) return;
      const i = RETRAIN_STAGES.indexOf(p.stage);
      const width = 24;
      const filled = Math.round(p.fraction * width);
      const text = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(Math.round(p.fraction * 100)).padStart(3)}% ${RETRAIN_STAGE_TITLES[p.stage]} (${i + 1}/${RETRAIN_STAGES.length}): ${p.message}`;
      stream.write(`\r\x1b[2K${text.slice(0, (stream.columns ?? 100) - 1)}`);
      drawn = true;
    },
    log(s) {
      clear();
      stream.write(`${s}\n`);
    },
    done() {
      clear();
    },
  };
}
