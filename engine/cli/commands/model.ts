import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_REASON_CODES } from '../../attribution/catalogue.ts';
import { evaluateOnTruth } from '../../training/evaluate.ts';
import type { FxTable } from '../../attribution/fx-rates.ts';
import { formatMetrics } from '../../attribution/metrics.ts';
import { formatFxProposals, fxRatesProposal, type FxProposal } from '../../attribution/rules.ts';
import { loadCurrentModel } from '../../attribution/model-store.ts';
import { ReasonModel } from '../../attribution/model.ts';
import { trainingCacheDir } from '../../training/held-out.ts';
import { modelInfo, runTraining } from './model-train.ts';
import type { TrainingExample } from '../../attribution/training-data.ts';
import { loadDefinitionFile } from '../../definition/load.ts';
import { ReconError } from '../../errors/recon-error.ts';
import { openWorkspaceStore } from '../open-store.ts';
import { listTrainingExamples } from '../../workflow/labels.ts';
import { resolveWorkspace } from '../workspace.ts';

export const MODEL_USAGE = `recon model evaluate --a FILE --b FILE --definition DEF.json --truth truth.csv [--model FILE] [--threshold 0.9] [--fx fx.json] [--fx-quote CUR] [--json]
recon model train [--workspace DIR] [--labels labels.csv] [--threshold 0.9] [--json]
recon model show [--model FILE] [--workspace DIR]
recon model compare --run RUN [--workspace DIR] [--json]
recon model info [--workspace DIR] [--json]

evaluate  Runs the recon, attributes every break and scores it against truth.csv:
          accuracy, per-class precision and recall, confusion matrix, share
          auto-attributed at the threshold and accuracy of those. FX rates come
          from --fx, else the definition's attribution.fxRates, else fx.json
          beside truth.csv. With none, rates inferred from the breaks are
          proposed as attribution.fxRates pairs quoted in --fx-quote, the
          currency B reports in (default USD).
train     Retrains on the baseline data plus the workspace's labels (reviewers'
          accepted, overridden and approved decisions from the workspace store,
          or --labels with columns run_db,break_id,reason), compares against the
          current model on the held-out set (the baseline's held-out breaks and
          a fixed 20% of the workspace's labels) and promotes it to
          <workspace>/models/current.json only if it is no worse. Progress by
          stage on stderr; Ctrl-C stops it and leaves the current model as it was.
show      Prints a model's version, training set and stored metrics.
compare   Reason rules against the model on a run (agreement, and accuracy
          against reviewers' decisions, per reason).
info      Prints the current model and its figures on the workspace's
          held-out set, as the Model panel shows them.
Without --model the workspace's current model is used, else the shipped baseline.`;

const OPTIONS = {
  a: { type: 'string' },
  b: { type: 'string' },
  definition: { type: 'string' },
  truth: { type: 'string' },
  model: { type: 'string' },
  threshold: { type: 'string' },
  fx: { type: 'string' },
  'fx-quote': { type: 'string' },
  workspace: { type: 'string' },
  labels: { type: 'string' },
  json: { type: 'boolean', default: false },
} as const;
type Values = ReturnType<typeof parse>['values'];
const parse = (argv: string[]) => parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });

/** `recon model evaluate | train | show`. */
export async function modelCommand(argv: string[]): Promise<number> {
  // `compare` (reason rules against the model) has options of its own: engine/cli/commands/model-compare.ts.
  if (argv[0] === 'compare') return (await import('./model-compare.ts')).modelCompareCommand(argv.slice(1));
  const { values, positionals } = parse(argv);
  switch (positionals[0]) {
    case 'evaluate':
      return evaluate(values);
    case 'train':
      return train(values);
    case 'show':
      return show(values);
    case 'info':
      return modelInfo(resolveWorkspace(values.workspace), values.json);
    default:
      process.stderr.write(`unknown or missing model command${positionals[0] ? ` "${positionals[0]}"` : ''}\n\n${MODEL_USAGE}\n`);
      return 2;
  }
}

async function evaluate(v: Values): Promise<number> {
  if (!v.a || !v.b || !v.definition || !v.truth) {
    process.stderr.write(`missing --a, --b, --definition or --truth\n\n${MODEL_USAGE}\n`);
    return 2;
  }
  const flagThreshold = parseThreshold(v.threshold);
  const quote = fxQuote(v['fx-quote']);
  const definition = await loadDefinitionFile(v.definition);
  const threshold = flagThreshold ?? definition.attribution.threshold;
  const { model, path } = await pickModel(v);
  // FX rates: --fx, else the definition's attribution.fxRates, else fx.json beside truth.csv (recon generate writes one).
  const besideTruth = join(dirname(v.truth), 'fx.json');
  const fxPath = v.fx ?? (definition.attribution.fxRates ? undefined : existsSync(besideTruth) ? besideTruth : undefined);
  const fx = fxPath ? await readFx(fxPath) : definition.attribution.fxRates;
  const fxLabel = fxPath ? `FX table ${fxPath}` : fx ? 'FX table from the definition' : 'no FX table';
  const workspace = v.workspace ? resolveWorkspace(v.workspace) : await mkdtemp(join(tmpdir(), 'recon-eval-'));
  try {
    const r = await evaluateOnTruth({ aPath: v.a, bPath: v.b, definition, truthPath: v.truth, model, threshold, workspace, ...(fx ? { fx } : {}) });
    if (v.json) {
      const proposed = fxRatesProposal(r.attribution.fxProposals ?? [], quote);
      const fxProposal = Object.keys(proposed).length > 0 ? { fxRatesProposal: { quote, rates: proposed } } : {};
      process.stdout.write(`${JSON.stringify({ model: model.version, modelPath: path, fx: fx ?? null, ...r, ...fxProposal }, null, 2)}\n`);
      return 0;
    }
    const lines = [
      `Model ${model.version} (${path}), ${fxLabel}`,
      `Recon ${r.timings.reconMs} ms, attribution ${r.timings.attributionMs} ms; ${r.unlabelled} break(s) without a truth row`,
      '',
      formatMetrics(r.all, 'All breaks'),
      '',
      formatMetrics(r.mismatches, 'MISMATCH breaks (decided by the model)'),
      ...fxProposalLines(r.attribution.fxProposals ?? [], quote),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  } finally {
    if (!v.workspace) await rm(workspace, { recursive: true, force: true });
  }
}

async function train(v: Values): Promise<number> {
  const workspace = resolveWorkspace(v.workspace);
  const examples = v.labels ? await readLabelsCsv(v.labels) : workspaceExamples(workspace);
  const extraCodes = [...new Set(examples.map((e) => e.reason))].filter((c) => !DEFAULT_REASON_CODES.some((r) => r.code === c));
  const workDir = await mkdtemp(join(tmpdir(), 'recon-train-'));
  try {
    return await runTraining({ workspace, examples, threshold: parseThreshold(v.threshold) ?? 0.9, extraCodes, workDir, cacheDir: trainingCacheDir(workspace) }, v.json);
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

async function show(v: Values): Promise<number> {
  const { model, path } = await pickModel(v);
  const s = model.toJSON();
  if (v.json) {
    // The trees are the bulk of the file and mean nothing to a reader.
    process.stdout.write(`${JSON.stringify({ path, ...s, forest: `${s.params.nEstimators} trees` }, null, 2)}\n`);
    return 0;
  }
  const lines = [
    `Model ${s.version} (${path})`,
    `  trained ${s.trainedAt} on ${s.trainingSetSize.toLocaleString('en-US')} labelled breaks, ${s.params.nEstimators} trees`,
    `  classes: ${Object.entries(s.classCounts).map(([c, n]) => `${c} ${n}`).join(', ')}`,
    `  features: ${s.features.length}`,
    ...(s.metrics ? ['', formatMetrics(s.metrics, 'Stored held-out metrics')] : []),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

async function pickModel(v: Values): Promise<{ model: ReasonModel; path: string }> {
  if (v.model) return { model: await ReasonModel.load(v.model), path: v.model };
  return loadCurrentModel(v.workspace ? resolveWorkspace(v.workspace) : undefined);
}

function parseThreshold(t: string | undefined): number | undefined {
  if (t === undefined) return undefined;
  const n = Number(t);
  if (!(n >= 0 && n <= 1)) throw new ReconError('INVALID_ARGUMENT', `--threshold must be between 0 and 1, got "${t}"`);
  return n;
}

async function readFx(path: string): Promise<FxTable> {
  const json: unknown = JSON.parse(await readFile(path, 'utf8'));
  if (!json || typeof json !== 'object' || Object.values(json).some((r) => typeof r !== 'string')) {
    throw new ReconError('INPUT_PARSE_ERROR', `${path}: an FX table is a JSON object of pair → rate strings, e.g. {"EURUSD": "1.0850"}`, { file: path });
  }
  return json as FxTable;
}

/** Reviewers' labels from the workspace store (accepted, overridden and approved decisions). */
function workspaceExamples(workspace: string): TrainingExample[] {
  const store = openWorkspaceStore(workspace);
  try {
    return listTrainingExamples(store);
  } finally {
    store.close();
  }
}

/** labels.csv: header run_db,break_id,reason; plain values (no quoted commas). */
async function readLabelsCsv(path: string): Promise<TrainingExample[]> {
  const [head = '', ...lines] = (await readFile(path, 'utf8')).split(/\r?\n/).filter((l) => l.trim() !== '');
  const cols = head.split(',').map((c) => c.trim());
  const at = (name: string): number => {
    const i = cols.indexOf(name);
    if (i < 0) throw new ReconError('INPUT_PARSE_ERROR', `${path}, line 1: missing column "${name}" (need run_db,break_id,reason)`, { file: path, line: 1 });
    return i;
  };
  const [iDb, iId, iReason] = [at('run_db'), at('break_id'), at('reason')];
  return lines.map((l, n) => {
    const f = l.split(',').map((c) => c.trim());
    const breakId = Number(f[iId]);
    if (!f[iDb] || !Number.isInteger(breakId) || !f[iReason]) {
      throw new ReconError('INPUT_PARSE_ERROR', `${path}, line ${n + 2}: expected run_db,break_id,reason`, { file: path, line: n + 2 });
    }
    return { runDb: f[iDb]!, breakId, reason: f[iReason]! };
  });
}

/** The currency B reports in, which the breaks cannot tell: --fx-quote, else USD. */
function fxQuote(flag: string | undefined): string {
  if (flag === undefined) return 'USD';
  const quote = flag.trim().toUpperCase();
  if (!/^[A-Z]{3}$/.test(quote)) throw new ReconError('INVALID_ARGUMENT', `--fx-quote ${JSON.stringify(flag)}: expected a three-letter currency code, e.g. EUR`);
  return quote;
}

/**
 * FX rates attribution inferred without an FX table, and the attribution.fxRates
 * they would be, quoted in the currency B reports in. A group in that very
 * currency with a rate of its own shows B does not report in it: said, not hidden.
 */
function fxProposalLines(proposals: readonly FxProposal[], quote: string): string[] {
  if (proposals.length === 0) return [];
  const rates = fxRatesProposal(proposals, quote);
  const contradicting = proposals.filter((p) => p.group === quote);
  return [
    '',
    'FX rates inferred from the breaks (no FX table explained them):',
    ...formatFxProposals(proposals).map((l) => `  ${l}`),
    ...(Object.keys(rates).length > 0 ? [`Proposed attribution.fxRates, if B reports in ${quote} (--fx-quote): ${JSON.stringify(rates)}`] : []),
    ...contradicting.map((p) => `Note: ${p.group} breaks of ${p.field} show B/A = ${p.rate}, so B does not seem to report in ${quote}; name B's currency with --fx-quote.`),
  ];
}
