/**
 * One sync cycle: push the outbox, push break evidence, pull other devices'
 * events, pull the shared state. Push comes first so the pull brings back the
 * server's verdict on what this device just sent.
 */
import type pg from 'pg';
import type { Store } from '../store/store.ts';
import { withClient } from './connection.ts';
import { pushEvidence, type EvidenceOpener } from './evidence.ts';
import { setState } from './local-state.ts';
import { pullEvents } from './pull-events.ts';
import { beginPull, type ScopeOverride } from './pull-scope.ts';
import { pullScopedState } from './pull-scoped-state.ts';
import { pullState, type PullStateResult } from './pull-state.ts';
import { pushOutbox, type PushOptions, type PushResult } from './push.ts';
import { publishEvidenceKey, pullTeamKeys } from './team-keys.ts';
import { pullCheckpoints } from './checkpoints.ts';
import { applyPulledReasonRules, hasPendingRuleEvents, type PulledRules } from '../rules/sync-apply.ts';
import { refusedRuleEvents } from './rule-outcomes.ts';
import { pullRulesInForce } from './pull-rules.ts';

/** Cycle tuning; where the device key comes from (PushOptions). */
export interface CycleOptions extends Omit<PushOptions, 'batchSize'> {
  batchSize?: number;
  /** How to read a run's breaks for evidence; false skips evidence (benchmarks). */
  evidence?: EvidenceOpener | false;
}

/** What one cycle did. */
export interface CycleResult {
  push: PushResult;
  evidence: number;
  pulledEvents: number;
  pull: PullStateResult;
  /** Reason-rule rows re-derived from the pulled events (hosts refresh their rule screens on them). */
  rules: PulledRules;
  ms: number;
}

/** Push only. */
export function runPush(store: Store, pool: pg.Pool, opts: CycleOptions = {}): Promise<PushResult> {
  const { batchSize, signer, keychain, env } = opts;
  return pushOutbox(store, pool, {
    ...(batchSize === undefined ? {} : { batchSize }),
    ...(signer === undefined ? {} : { signer }),
    ...(keychain === undefined ? {} : { keychain }),
    ...(env === undefined ? {} : { env }),
  });
}

/** Pull tuning: the first pull's window for this command, and a hook when its runs are in (benchmarks). */
export interface PullOptions {
  scope?: ScopeOverride;
  onRunsApplied?: () => void;
}

/** Pull only (events, then shared state). A workspace's first pull is windowed (pull-scope.ts) unless its window is 0 days. */
export async function runPull(store: Store, pool: pg.Pool, opts: PullOptions = {}): Promise<{ pulledEvents: number; pull: PullStateResult; rules: PulledRules }> {
  const window = beginPull(store, opts.scope);
  const pulledEvents = await withClient(pool, (c) => pullEvents(store, c));
  // Reason rules are re-derived from the events just pulled (engine/rules/sync-apply.ts), but for those whose
  // effect the server refused (server migration 015): read after the events, so every refusal of them is in.
  // Most cycles bring no rule event, and then the server is not asked.
  const rules = hasPendingRuleEvents(store)
    ? applyPulledReasonRules(store, { refusedByServer: await withClient(pool, (c) => refusedRuleEvents(c)) })
    : { proposals: 0, verdicts: 0, versions: 0, refused: 0 };
  const pull = window
    ? await withClient(pool, (c) => pullScopedState(store, c, window, { first: true, ...(opts.onRunsApplied ? { onRunsApplied: opts.onRunsApplied } : {}) }))
    : await withClient(pool, (c) => pullState(store, c));
  // A window leaves out events before it: the rules in force and pending rule proposals come whatever their age.
  if (window) {
    const old = await withClient(pool, (c) => pullRulesInForce(store, c));
    for (const k of ['proposals', 'verdicts', 'versions'] as const) rules[k] += old[k];
  }
  await withClient(pool, (c) => pullTeamKeys(store, c));
  await withClient(pool, (c) => pullCheckpoints(store, c));
  return { pulledEvents, pull, rules };
}

/** A full cycle; throws on the first failure (the caller retries with backoff). */
export async function runCycle(store: Store, pool: pg.Pool, opts: CycleOptions = {}): Promise<CycleResult> {
  const t0 = performance.now();
  const push = await runPush(store, pool, opts);
  const evidence = opts.evidence === false ? 0 : await pushEvidence(store, pool, opts.evidence);
  await publishEvidenceKey(store, pool);
  const { pulledEvents, pull, rules } = await runPull(store, pool);
  store.write((tx) => setState(tx, 'sync.lastAt', tx.now));
  return { push, evidence, pulledEvents, pull, rules, ms: Math.round(performance.now() - t0) };
}
