import { parseArgs } from 'node:util';
import { ReconError } from '../../errors/recon-error.ts';
import { agreementReport, type AgreementReport, type ReasonAccuracy } from '../../rules/agreement.ts';
import { openWorkspaceStore } from '../open-store.ts';
import { resolveWorkspace } from '../workspace.ts';

export const MODEL_COMPARE_USAGE = `recon model compare --run RUN [--workspace DIR] [--limit 20] [--json]

compare   Reason rules against the model on a run: breaks where a rule and the
          model agree, disagree (both reasons), only a rule covers, only the
          model is sure of; and against reviewers' decisions, the accuracy per
          reason of the rules and of the model.`;

const OPTIONS = {
  run: { type: 'string' },
  workspace: { type: 'string' },
  limit: { type: 'string' },
  json: { type: 'boolean', default: false },
} as const;

/** `recon model compare`: the agreement report of engine/rules/agreement.ts. */
export async function modelCompareCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: false, strict: true });
  if (!values.run) {
    process.stderr.write(`missing --run\n\n${MODEL_COMPARE_USAGE}\n`);
    return 2;
  }
  const limit = values.limit === undefined ? 20 : Number(values.limit);
  if (!Number.isSafeInteger(limit) || limit < 0) throw new ReconError('INVALID_ARGUMENT', `--limit takes a whole number, got "${values.limit}"`);
  const store = openWorkspaceStore(resolveWorkspace(values.workspace));
  try {
    const report = await agreementReport(store, values.run, values.json ? {} : { limit: 100_000 });
    process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report, limit));
    return 0;
  } finally {
    store.close();
  }
}

const pct = (a: ReasonAccuracy): string => (a.accuracy === null ? '-' : `${(a.accuracy * 100).toFixed(1)}%`);

function formatReport(r: AgreementReport, limit: number): string {
  const c = r.counts;
  const lines = [
    `Run ${r.runId}: ${c.breaks} break(s); ${r.rulesInForce.length} reason rule(s) in force${r.beforeRules ? ' (a run from before reason rules: none applied)' : ''}`,
    ...r.rulesInForce.map((x) => `  ${String(x.order).padStart(5)} "${x.name}" v${x.version} → ${x.reason}: ${x.matched} break(s)${x.unusable ? ` (cannot apply: ${x.unusable})` : ''}  ${x.conditionsSha256.slice(0, 12)}`),
    '',
    `agree ${c.AGREE}   disagree ${c.DISAGREE}   rule only ${c.RULE_ONLY}   model only (sure) ${c.MODEL_ONLY}`,
  ];
  for (const kind of ['DISAGREE', 'RULE_ONLY'] as const) {
    const items = r.items.filter((i) => i.kind === kind);
    if (items.length === 0) continue;
    lines.push('', kind === 'DISAGREE' ? 'Rule and model disagree:' : 'Only a rule covers (the model was not sure):');
    for (const i of items.slice(0, limit)) {
      lines.push(`  ${String(i.breakId).padStart(7)}  ${i.key}  ${i.field}  rule "${i.ruleName}" ${i.ruleReason}  model ${i.modelReason ?? '-'} (${i.modelConfidence === null ? '-' : i.modelConfidence.toFixed(2)})${i.decided ? `  reviewer ${i.decided}` : ''}`);
    }
    if (items.length > limit) lines.push(`  … ${items.length - limit} more (--limit, --json)`);
  }
  const table = (title: string, rows: ReasonAccuracy[]): void => {
    lines.push('', title);
    if (rows.length === 0) lines.push('  no breaks a reviewer labelled');
    for (const a of rows) lines.push(`  ${a.reason.padEnd(16)} ${String(a.correct).padStart(6)} / ${String(a.labelled).padEnd(6)} ${pct(a)}`);
  };
  table("Against reviewers' decisions, rules (per reason):", r.accuracy.rules);
  table("Against reviewers' decisions, model when sure (per reason):", r.accuracy.model);
  return `${lines.join('\n')}\n`;
}
