import { readFileSync, existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { ReconError } from '../../errors/recon-error.ts';
import { decisionBreaks, draftRuleFromBreaks } from '../../rules/draft.ts';
import {
  approveRuleProposal,
  getRuleProposal,
  listReasonRules,
  listRuleProposals,
  proposeReasonRule,
  proposeRuleRetirement,
  reasonRuleVersions,
  rejectRuleProposal,
  withdrawRuleProposal,
  type ReasonRuleInfo,
  type RuleProposalInfo,
  type RuleVerdictResult,
} from '../../rules/governance.ts';
import { previewReasonRule, type RulePreview } from '../../rules/preview.ts';
import type { ReasonRuleConditions } from '../../rules/schema.ts';
import type { Store } from '../../store/store.ts';
import { currentUser } from '../../workflow/identity.ts';
import { openWorkspaceStore } from '../open-store.ts';
import { resolveWorkspace } from '../workspace.ts';
import { need } from '../required-flag.ts';

export const RULES_USAGE = `recon rules list|show|add|test|retire|proposals|approve|reject|withdraw|draft [--workspace DIR] [--json]

  Reason rules: a team's "breaks like these have this reason", applied before the model.
  Every change is a proposal an approver (not its maker) must approve.

  recon rules list [--definition NAME] [--all]          rules in force (--all: retired too), in order
  recon rules show --rule ID                            every version of a rule
  recon rules add (--file RULE.json|.yaml | --name N --reason CODE [condition flags])
                  [--rule ID] [--comment TEXT]          proposes a new rule (--rule: a new version of one)
      condition flags: --definition NAME --order N --field F --diff-type T --value-a V --value-b V
                       --delta-min X --delta-max X --abs-delta-max X --ratio K --tolerance T
                       --day-shift N --record-a FIELD=VALUE --record-b FIELD=VALUE (repeatable)
  recon rules test --run RUN (--file F | --rule ID | --proposal ID | flags) [--recent 5] [--limit 50]
      the what-if: breaks it would re-attribute in RUN and the recent runs of its series,
      and which a reviewer had decided otherwise
  recon rules retire --rule ID --comment TEXT           proposes retiring it
  recon rules proposals [--all]                         the approver's queue (--all: settled too)
  recon rules approve --proposal ID [--comment TEXT]
  recon rules reject --proposal ID --comment TEXT
  recon rules withdraw --proposal ID [--comment TEXT]   the maker takes it back
  recon rules draft --run RUN --breaks 1,2,3 --reason CODE   a rule file pre-filled from breaks decided together
  recon rules draft --decision ID                       the same from a bulk accept or override and its reason

The acting user is the OS account, or $RECON_USER.`;

const OPTIONS = {
  workspace: { type: 'string' },
  json: { type: 'boolean', default: false },
  all: { type: 'boolean', default: false },
  file: { type: 'string' },
  rule: { type: 'string' },
  proposal: { type: 'string' },
  comment: { type: 'string' },
  run: { type: 'string' },
  recent: { type: 'string' },
  limit: { type: 'string' },
  breaks: { type: 'string' },
  decision: { type: 'string' },
  name: { type: 'string' },
  reason: { type: 'string' },
  definition: { type: 'string' },
  order: { type: 'string' },
  field: { type: 'string', multiple: true },
  'diff-type': { type: 'string', multiple: true },
  'value-a': { type: 'string' },
  'value-b': { type: 'string' },
  'delta-min': { type: 'string' },
  'delta-max': { type: 'string' },
  'abs-delta-max': { type: 'string' },
  ratio: { type: 'string' },
  tolerance: { type: 'string' },
  'day-shift': { type: 'string' },
  'record-a': { type: 'string', multiple: true },
  'record-b': { type: 'string', multiple: true },
} as const;

const SUBCOMMANDS = ['list', 'show', 'add', 'test', 'retire', 'proposals', 'approve', 'reject', 'withdraw', 'draft'];

type Values = ReturnType<typeof parse>['values'];
const parse = (argv: string[]) => parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });

/** `recon rules …`: reason rules, proposed and approved under the 4-eye rule. */
export async function rulesCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv);
  const sub = positionals[0];
  if (sub === undefined || !SUBCOMMANDS.includes(sub)) {
    process.stderr.write(`unknown or missing rules command${sub ? ` "${sub}"` : ''}\n\n${RULES_USAGE}\n`);
    return 2;
  }
  const store = openWorkspaceStore(resolveWorkspace(values.workspace));
  try {
    switch (sub) {
      case 'list':
        return out(values, listReasonRules(store, { includeRetired: values.all, ...(values.definition ? { definition: values.definition } : {}) }), formatRules);
      case 'show':
        return out(values, reasonRuleVersions(store, need(values.rule, '--rule')), formatRules);
      case 'add': {
        const p = proposeReasonRule(store, currentUser(), { rule: ruleFrom(values), ...(values.rule ? { ruleId: values.rule } : {}), comment: values.comment ?? null });
        return out(values, p, (x) => `proposed ${x.kind === 'CREATE' ? 'new rule' : `version ${(x.baseVersion ?? 0) + 1} of rule`} ${x.ruleId} "${x.rule?.name}" → ${x.rule?.reason}: proposal ${x.proposalId}, awaiting an approver (recon rules approve --proposal ${x.proposalId})\n`);
      }
      case 'test':
        return out(values, await preview(store, values), formatPreview);
      case 'retire': {
        const p = proposeRuleRetirement(store, currentUser(), need(values.rule, '--rule'), values.comment ?? '');
        return out(values, p, (x) => `proposed retiring rule ${x.ruleId}: proposal ${x.proposalId}, awaiting an approver\n`);
      }
      case 'proposals':
        return out(values, listRuleProposals(store, { pendingOnly: !values.all }), formatProposals);
      case 'approve':
        return out(values, approveRuleProposal(store, currentUser(), need(values.proposal, '--proposal'), values.comment), formatVerdict);
      case 'reject':
        return out(values, rejectRuleProposal(store, currentUser(), need(values.proposal, '--proposal'), values.comment ?? ''), formatVerdict);
      case 'withdraw':
        return out(values, withdrawRuleProposal(store, currentUser(), need(values.proposal, '--proposal'), values.comment), formatVerdict);
      case 'draft': {
        const from = values.decision !== undefined ? decisionBreaks(store, values.decision) : draftFromFlags(values);
        const d = await draftRuleFromBreaks(store, { ...from, ...(values.name ? { name: values.name } : {}) });
        // Text mode prints the rule file itself (edit it, then recon rules add --file), what it shares and covers on stderr.
        if (!values.json) process.stderr.write(`${d.shared.map((s) => `shared: ${s}`).join('\n')}\n${d.coverage.map((c) => `run ${c.runId}: ${c.matched} break(s), ${c.decidedOtherwise} decided otherwise`).join('\n')}\n`);
        return out(values, values.json ? d : d.draft, (x) => `${JSON.stringify(x, null, 2)}\n`);
      }
      default:
        return 2;
    }
  } finally {
    store.close();
  }
}

/** `--run RUN --breaks 1,2,3 --reason CODE`: the breaks a draft starts from, named one by one. */
function draftFromFlags(values: { run?: string | undefined; breaks?: string | undefined; reason?: string | undefined }): { runId: string; breakIds: number[]; reason: string } {
  const breakIds = need(values.breaks, '--breaks (or --decision)')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => int(s, '--breaks'));
  return { runId: need(values.run, '--run'), breakIds, reason: need(values.reason, '--reason') };
}

function int(value: string, flag: string): number {
  if (!/^-?\d+$/.test(value)) throw new ReconError('INVALID_ARGUMENT', `${flag} takes whole numbers, got "${value}"`);
  return Number(value);
}

function number(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new ReconError('INVALID_ARGUMENT', `${flag} takes a number, got "${value}"`);
  return n;
}

/** A rule from --file (JSON, or YAML by extension) or from the flags. */
function ruleFrom(v: Values): unknown {
  if (v.file) {
    if (!existsSync(v.file)) throw new ReconError('INPUT_NOT_FOUND', `rule file ${v.file} not found`);
    const text = readFileSync(v.file, 'utf8');
    try {
      return /\.ya?ml$/i.test(v.file) ? (parseYaml(text) as unknown) : (JSON.parse(text) as unknown);
    } catch (err) {
      throw new ReconError('INVALID_ARGUMENT', `rule file ${v.file} is not valid ${/\.ya?ml$/i.test(v.file) ? 'YAML' : 'JSON'}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  if (!v.name && !v.reason) throw new ReconError('INVALID_ARGUMENT', 'give the rule as --file RULE.json, or as --name and --reason with condition flags');
  const c: Record<string, unknown> = {};
  const one = <T>(xs: T[] | undefined): T | T[] | undefined => (xs === undefined || xs.length === 0 ? undefined : xs.length === 1 ? xs[0] : xs);
  if (v.field) c['field'] = one(v.field);
  if (v['diff-type']) c['diffType'] = one(v['diff-type'].map((t) => t.toUpperCase()));
  if (v['value-a'] !== undefined) c['valueA'] = { equals: v['value-a'] };
  if (v['value-b'] !== undefined) c['valueB'] = { equals: v['value-b'] };
  const tolerance = number(v.tolerance, '--tolerance');
  const delta = { min: number(v['delta-min'], '--delta-min'), max: number(v['delta-max'], '--delta-max'), absMax: number(v['abs-delta-max'], '--abs-delta-max') };
  if (Object.values(delta).some((x) => x !== undefined)) c['delta'] = delta;
  const ratio = number(v.ratio, '--ratio');
  if (ratio !== undefined) c['ratio'] = { equals: ratio, ...(tolerance !== undefined ? { tolerance } : {}) };
  const shift = number(v['day-shift'], '--day-shift');
  if (shift !== undefined) c['dayShift'] = { equals: shift };
  for (const [flag, key] of [
    ['record-a', 'recordA'],
    ['record-b', 'recordB'],
  ] as const) {
    const pairs = v[flag] ?? [];
    if (pairs.length === 0) continue;
    c[key] = Object.fromEntries(
      pairs.map((p) => {
        const at = p.indexOf('=');
        if (at <= 0) throw new ReconError('INVALID_ARGUMENT', `--${flag} takes FIELD=VALUE, got "${p}"`);
        return [p.slice(0, at), { equals: p.slice(at + 1) }];
      }),
    );
  }
  return {
    name: v.name,
    reason: v.reason,
    ...(v.definition ? { definition: v.definition } : {}),
    ...(v.order !== undefined ? { order: int(v.order, '--order') } : {}),
    conditions: JSON.parse(JSON.stringify(c)) as ReasonRuleConditions,
  };
}

/** The rule to test: a file or flags, a rule's current version, or a proposal's rule. */
async function preview(store: Store, v: Values): Promise<RulePreview> {
  let rule: unknown;
  if (v.proposal) {
    const p = getRuleProposal(store, v.proposal);
    if (!p.rule) throw new ReconError('INVALID_ARGUMENT', `proposal ${v.proposal} retires rule ${p.ruleId}: there is no new rule to test`);
    rule = p.rule;
  } else if (v.rule && !v.file && !v.name) {
    const r = reasonRuleVersions(store, v.rule).at(-1)!;
    rule = { name: r.name, reason: r.reason, definition: r.definition, order: r.order, conditions: r.conditions };
  } else rule = ruleFrom(v);
  const recent = v.recent === undefined ? 5 : int(v.recent, '--recent');
  return previewReasonRule(store, { rule, runId: need(v.run, '--run'), recentRuns: recent, limit: v.limit === undefined ? 50 : int(v.limit, '--limit') });
}

function out<T>(v: Values, value: T, text: (value: T) => string): number {
  process.stdout.write(v.json ? `${JSON.stringify(value, null, 2)}\n` : text(value));
  return 0;
}

function formatRules(rs: ReasonRuleInfo[]): string {
  if (rs.length === 0) return 'no reason rules\n';
  return rs
    .map(
      (r) =>
        `${String(r.order).padStart(5)}  ${r.ruleId}  v${r.version}  ${r.retired ? 'RETIRED ' : r.active ? '' : 'INACTIVE '}"${r.name}" → ${r.reason}  ${r.definition ? `definition ${r.definition}` : 'whole workspace'}  owner ${r.owner}, approved by ${r.approvedBy} ${r.approvedAt}\n       ${JSON.stringify(r.conditions)}\n`,
    )
    .join('');
}

function formatProposals(ps: RuleProposalInfo[]): string {
  if (ps.length === 0) return 'no rule proposals\n';
  return ps
    .map(
      (p) =>
        `${p.proposalId}  ${p.state.padEnd(9)} ${p.kind.toLowerCase()} rule ${p.ruleId}${p.baseVersion ? ` (from v${p.baseVersion})` : ''}${p.rule ? ` "${p.rule.name}" → ${p.rule.reason}` : ''}  by ${p.maker} at ${p.proposedAt}${p.comment ? `\n    "${p.comment}"` : ''}${p.rule ? `\n    ${JSON.stringify(p.rule.conditions)}` : ''}${p.verdictBy ? `\n    ${p.state.toLowerCase()} by ${p.verdictBy}${p.verdictComment ? `: "${p.verdictComment}"` : ''}` : ''}\n`,
    )
    .join('');
}

function formatVerdict(r: RuleVerdictResult): string {
  return `${r.verdict} rule proposal ${r.proposalId} (rule ${r.ruleId}${r.version !== null ? `, now version ${r.version}` : ''})\n`;
}

function formatPreview(p: RulePreview): string {
  const lines = [`"${p.rule.name}" → ${p.rule.reason}: ${p.totals.matched} break(s) matched, ${p.totals.reattributed} re-attributed, ${p.totals.decidedOtherwise} decided otherwise by a reviewer`];
  for (const r of p.runs) {
    lines.push('', `run ${r.runId}${r.current ? '' : ' (earlier)'}: ${r.matched} matched, ${r.reattributed} re-attributed, ${r.decidedOtherwise} decided otherwise${r.unusable ? ` (cannot apply: ${r.unusable})` : ''}`);
    for (const i of r.items) {
      const now = `${i.currentReason ?? '-'}${i.currentStatus ? `/${i.currentStatus}` : ''}${i.currentRule ? ` (rule "${i.currentRule}")` : ''}`;
      const decided = i.decision ? `  reviewer: ${i.decision.status}${i.decision.reason ? ` ${i.decision.reason}` : ''}${i.decision.decidedBy ? ` by ${i.decision.decidedBy}` : ''}` : '';
      lines.push(`  ${i.decidedOtherwise ? '⚠' : i.reattributes ? '→' : '='} ${String(i.breakId).padStart(7)}  ${i.key}  ${i.field}  ${i.diffType}  A=${i.valueA ?? ''} B=${i.valueB ?? ''}  now ${now} → ${i.ruleReason}${decided}`);
    }
    if (r.items.length < r.matched) lines.push(`  … ${r.matched - r.items.length} more (--limit)`);
  }
  return `${lines.join('\n')}\n`;
}
