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
import { pullState, type PullStateResult } from './pull-state.ts';
import { pushOutbox, type PushResult } from './push.ts';

/** Cycle tuning. */
export interface CycleOptions {
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
  ms: number;
}

/** Push only. */
export function runPush(store: Store, pool: pg.Pool, opts: CycleOptions = {}): Promise<PushResult> {
  return pushOutbox(store, pool, opts.batchSize === undefined ? {} : { batchSize: opts.batchSize });
}

/** Pull only (events, then shared state). */
export async function runPull(store: Store, pool: pg.Pool): Promise<{ pulledEvents: number; pull: PullStateResult }> {
  const pulledEvents = await withClient(pool, (c) => pullEvents(store, c));
  const pull = await withClient(pool, (c) => pullState(store, c));
  return { pulledEvents, pull };
}

/** A full cycle; throws on the first failure (the caller retries with backoff). */
export async function runCycle(store: Store, pool: pg.Pool, opts: CycleOptions = {}): Promise<CycleResult> {
  const t0 = performance.now();
  const push = await runPush(store, pool, opts);
  const evidence = opts.evidence === false ? 0 : await pushEvidence(store, pool, opts.evidence);
  const { pulledEvents, pull } = await runPull(store, pool);
  store.write((tx) => setState(tx, 'sync.lastAt', tx.now));
  return { push, evidence, pulledEvents, pull, ms: Math.round(performance.now() - t0) };
}
