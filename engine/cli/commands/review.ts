import { parseArgs } from 'node:util';
import { ReconError } from '../../errors/recon-error.ts';
import { openBreakSource } from '../../run-file/break-source.ts';
import { suggestionOf } from '../../run-file/break.ts';
import type { Store } from '../../store/open.ts';
import { openWorkspaceStore } from '../open-store.ts';
import { approveProposal, listProposals, rejectProposal, type ProposalInfo } from '../../workflow/approvals.ts';
import type { BreakFilter, BreakSource, ReviewedBreak } from '../../workflow/breaks.ts';
import { decide, decideBulk, type DecisionKind, type DecisionResult } from '../../workflow/decisions.ts';
import { currentUser } from '../../workflow/identity.ts';
import { listReasonCodes } from '../../workflow/reason-codes.ts';
import { listBreaks } from '../../workflow/review-queue.ts';
import { getRun } from '../../workflow/runs.ts';
import { evidencePushedBy, isRemoteRun, remoteBreakSource } from '../../sync/remote-breaks.ts';
import { conflictLine, listConflicts } from '../../sync/lost-breaks.ts';
import { BREAK_STATUSES, type BreakStatus } from '../../workflow/status.ts';
import { resolveWorkspace } from '../workspace.ts';
import { need } from '../required-flag.ts';

export const REVIEW_USAGE = `recon review list|accept|override|reject|reopen|bulk|proposals|approve|reject-proposal|reasons [--workspace DIR] [--json]

  recon review list --run RUN [--status REVIEW] [--field F] [--reason R] [--diff-type T] [--limit 50] [--after ID]
  recon review accept   --run RUN --break ID [--comment TEXT]      the suggested reason
  recon review override --run RUN --break ID --reason CODE --comment TEXT   a proposal: needs an approver
  recon review reject   --run RUN --break ID --comment TEXT        a real problem to chase
  recon review reopen   --run RUN --break ID [--comment TEXT]
  recon review bulk --run RUN --action accept|override|reject [--field F] [--reason R] [--diff-type T]
                    [--delta D] [--max-abs-delta X] [--new-reason CODE] [--comment TEXT]
      one decision over every open break matching the filter (--reason filters on the suggestion;
      --new-reason is the override's code); over the workspace's bulk limit it is a proposal
  recon review proposals [--run RUN] [--all]
  recon review approve --proposal ID [--comment TEXT]
  recon review reject-proposal --proposal ID --comment TEXT
  recon review reasons [--all]

The acting user is the OS account, or $RECON_USER.`;

const OPTIONS = {
  workspace: { type: 'string' },
  json: { type: 'boolean', default: false },
  run: { type: 'string' },
  break: { type: 'string' },
  reason: { type: 'string' },
  'new-reason': { type: 'string' },
  comment: { type: 'string' },
  status: { type: 'string' },
  field: { type: 'string' },
  'diff-type': { type: 'string' },
  delta: { type: 'string' },
  'max-abs-delta': { type: 'string' },
  action: { type: 'string' },
  limit: { type: 'string' },
  after: { type: 'string' },
  proposal: { type: 'string' },
  all: { type: 'boolean', default: false },
} as const;

const SUBCOMMANDS = ['list', 'accept', 'override', 'reject', 'reopen', 'bulk', 'proposals', 'approve', 'reject-proposal', 'reasons'];

type Values = ReturnType<typeof parse>['values'];
const parse = (argv: string[]) => parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });

/** `recon review …`: scriptable review of a run's breaks and the approver's queue. */
export async function reviewCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv);
  const sub = positionals[0];
  if (sub === undefined || !SUBCOMMANDS.includes(sub)) {
    process.stderr.write(`unknown or missing review command${sub ? ` "${sub}"` : ''}\n\n${REVIEW_USAGE}\n`);
    return 2;
  }
  const store = openWorkspaceStore(resolveWorkspace(values.workspace));
  try {
    switch (sub) {
      case 'list':
        return await list(store, values);
      case 'accept':
      case 'override':
      case 'reject':
      case 'reopen':
        return await single(store, values, sub.toUpperCase() as DecisionKind);
      case 'bulk':
        return await bulk(store, values);
      case 'proposals':
        return out(values, proposalsWithConflicts(store, values), formatProposals);
      case 'approve':
        return out(values, approveProposal(store, currentUser(), need(values.proposal, '--proposal'), values.comment), (r) => `${r.verdict} proposal ${r.decisionId} (${r.breakCount} breaks)\n`);
      case 'reject-proposal':
        return out(values, rejectProposal(store, currentUser(), need(values.proposal, '--proposal'), values.comment ?? ''), (r) => `${r.verdict} proposal ${r.decisionId} (${r.breakCount} breaks)\n`);
      case 'reasons':
        return out(values, listReasonCodes(store, { includeRetired: values.all }), (rs) =>
          rs.map((r) => `${r.code.padEnd(16)} ${r.category.padEnd(7)} ${r.description}${r.retiredAt ? ` (retired ${r.retiredAt})` : ''}\n`).join(''),
        );
      default:
        return 2;
    }
  } finally {
    store.close();
  }
}

function int(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new ReconError('INVALID_ARGUMENT', `${flag} must be a whole number, got "${value}"`);
  return Number(value);
}

function filterOf(v: Values): BreakFilter {
  const f: BreakFilter = {};
  if (v.field) f.field = v.field;
  if (v.reason) f.reason = v.reason;
  if (v['diff-type']) f.diffType = v['diff-type'];
  if (v.delta) f.delta = v.delta;
  if (v['max-abs-delta']) f.maxAbsDelta = v['max-abs-delta'];
  return f;
}

async function withBreaks<T>(store: Store, runId: string, fn: (source: BreakSource) => Promise<T>): Promise<T> {
  // A run pulled from the team server has no file here: its breaks are the evidence pulled with it.
  const source = isRemoteRun(store, runId) ? remoteBreakSource(store, runId) : await openBreakSource(getRun(store, runId).duckdbPath);
  try {
    return await fn(source);
  } finally {
    source.close();
  }
}

async function list(store: Store, v: Values): Promise<number> {
  const runId = need(v.run, '--run');
  const status = v.status?.toUpperCase();
  if (status !== undefined && !(BREAK_STATUSES as readonly string[]).includes(status)) {
    throw new ReconError('INVALID_ARGUMENT', `--status must be one of ${BREAK_STATUSES.join(', ')}`);
  }
  const rows = await withBreaks(store, runId, (source) =>
    listBreaks(store, source, {
      runId,
      filter: filterOf(v),
      limit: int(v.limit, '--limit') ?? 50,
      ...(status ? { status: status as BreakStatus } : {}),
      ...(v.after ? { afterId: int(v.after, '--after')! } : {}),
    }),
  );
  return out(v, rows, formatBreaks);
}

async function single(store: Store, v: Values, kind: DecisionKind): Promise<number> {
  const runId = need(v.run, '--run');
  const breakId = int(need(v.break, '--break'), '--break')!;
  const result = await withBreaks(store, runId, (source) =>
    decide(store, source, currentUser(), { runId, breakId, kind, reason: v.reason ?? null, comment: v.comment ?? null }),
  );
  return out(v, result, formatDecision);
}

async function bulk(store: Store, v: Values): Promise<number> {
  const runId = need(v.run, '--run');
  const action = need(v.action, '--action').toUpperCase();
  if (action !== 'ACCEPT' && action !== 'OVERRIDE' && action !== 'REJECT') throw new ReconError('INVALID_ARGUMENT', '--action must be accept, override or reject');
  const result = await withBreaks(store, runId, (source) =>
    decideBulk(store, source, currentUser(), { runId, filter: filterOf(v), kind: action, reason: v['new-reason'] ?? null, comment: v.comment ?? null }),
  );
  return out(v, result, formatDecision);
}

function out<T>(v: Values, value: T, text: (value: T) => string): number {
  process.stdout.write(v.json ? `${JSON.stringify(value, null, 2)}\n` : text(value));
  return 0;
}

const cell = (s: string | null, width: number): string => {
  const t = s ?? '';
  return (t.length > width ? `${t.slice(0, width - 1)}…` : t).padEnd(width);
};

function formatBreaks(rows: ReviewedBreak[]): string {
  if (rows.length === 0) return 'no breaks\n';
  const head = `${'id'.padStart(7)}  ${cell('key', 14)} ${cell('field', 14)} ${cell('type', 13)} ${cell('A', 14)} ${cell('B', 14)} ${cell('delta', 10)} ${cell('status', 10)} suggestion`;
  const lines = rows.map(
    (b) =>
      `${String(b.breakId).padStart(7)}  ${cell(b.key, 14)} ${cell(b.field, 14)} ${cell(b.diffType, 13)} ${cell(b.valueA, 14)} ${cell(b.valueB, 14)} ${cell(b.delta, 10)} ${cell(b.status, 10)} ${b.reason ?? suggestionOf(b) ?? '-'}${b.confidence === null ? '' : ` (${b.confidence.toFixed(2)})`}`,
  );
  return `${[head, ...lines].join('\n')}\n`;
}

function formatDecision(r: DecisionResult): string {
  const what = r.proposal ? 'proposed (awaiting an approver)' : 'applied';
  return `${r.kind.toLowerCase()} ${what}: decision ${r.decisionId}, ${r.breakCount} break${r.breakCount === 1 ? '' : 's'}${r.skipped ? `, ${r.skipped} skipped (not open)` : ''}\n`;
}

/** A proposal with, when the team server gave some of its breaks to another device's earlier decision, the line saying so. */
type ListedProposal = ProposalInfo & { conflict: string | null; evidence: string | null };

function proposalsWithConflicts(store: Store, values: Values): ListedProposal[] {
  const runId = values.run ? { runId: values.run } : {};
  const lines = new Map(listConflicts(store, { ...runId, includeAcknowledged: true, everyDevice: true }).map((c) => [c.decisionId, conflictLine(c)]));
  return listProposals(store, { ...runId, pendingOnly: !values.all }).map((p) => ({ ...p, conflict: lines.get(p.decisionId) ?? null, evidence: evidenceLine(store, p) }));
}

// A run made on another device: the approver judges evidence some team login pushed; say which (the server takes it only from the run device's login).
function evidenceLine(store: Store, p: ProposalInfo): string | null {
  if (!isRemoteRun(store, p.runId)) return null;
  const by = evidencePushedBy(store, p.runId, p.decisionId);
  return by.length === 0 ? 'no evidence pulled yet for its breaks' : `evidence pushed to the team server by ${by.map((x) => `${x.login} (${x.breaks} break${x.breaks === 1 ? '' : 's'})`).join(', ')}`;
}

function formatProposals(ps: ListedProposal[]): string {
  if (ps.length === 0) return 'no proposals\n';
  return ps
    .map((p) => `${p.decisionId}  ${p.state.padEnd(10)} run ${p.runId}  ${p.kind.toLowerCase()}${p.reason ? ` → ${p.reason}` : ''}  ${p.breakCount} breaks  by ${p.maker} at ${p.decidedAt}${p.comment ? `\n    "${p.comment}"` : ''}${p.evidence ? `\n    ${p.evidence}` : ''}${p.approver ? `\n    ${p.state.toLowerCase()} by ${p.approver}${p.approvalComment ? `: "${p.approvalComment}"` : ''}` : ''}${p.approverNote ? `\n    ⚠ ${p.approverNote}` : ''}${p.state === 'SUPERSEDED' || p.state === 'REFUSED' ? `\n    the team server ${p.state === 'SUPERSEDED' ? 'took another decision first' : 'refused it'}${p.serverDetail ? ` (${p.serverDetail})` : ''}: it waits for no one` : ''}${p.conflict ? `\n    ⚠ ${p.conflict}` : ''}\n`)
    .join('');
}
