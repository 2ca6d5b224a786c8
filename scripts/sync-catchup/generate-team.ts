/**
 * A year of a team's history on a test server, for the catch-up benchmark
 * (scripts/sync-catchup-bench.ts): N audit events across many devices and
 * recons, each device's chain valid (canonical JSON, hashes, links, seq),
 * with the projections the server's triggers would have made from them (runs,
 * decisions and their breaks, approvals, break statuses, definitions, event
 * outcomes, review evidence). Loaded as the superuser with
 * session_replication_role = replica, so the triggers do not run: inserting
 * a million events through them would measure the push, not the pull.
 *
 * Shape: analysts' devices run their recons every day and decide on the
 * breaks (accepts, overrides, proposals); approvers' devices approve the
 * proposals the same day, except those of the last days (pending) and one in
 * 400 older ones (open items from older runs); exports fill the rest.
 */
import { createHash, randomUUID } from 'node:crypto';
import type pg from 'pg';
import { canonicalJson, type JsonValue } from '../../engine/store/canonical-json.ts';
import { GENESIS_HASH, hashEvent } from '../../engine/store/audit-log.ts';

export interface TeamShape {
  events: number;
  analysts: number;
  approvers: number;
  recons: number;
  days: number;
  /** Proposals in the last this many days stay pending. */
  pendingDays: number;
  end: Date;
}

export const DEFAULT_SHAPE: Omit<TeamShape, 'events' | 'end'> = { analysts: 30, approvers: 10, recons: 60, days: 365, pendingDays: 3 };

interface Dev {
  id: string;
  user: string;
  seq: number;
  hash: string;
}

/** What was loaded. */
export interface TeamFacts {
  events: number;
  devices: number;
  runs: number;
  decisions: number;
  pendingProposals: number;
  oldPendingProposals: number;
  reviewBreaks: number;
  definitions: number;
}

const REASONS = ['FX_DIFF', 'TIMING_DIFF', 'ROUNDING', 'FEE', 'MISSING_TRADE'];

function definitionJson(name: string, version: number): string {
  return JSON.stringify({
    name,
    description: `generated recon, version ${version}`,
    key: ['trade_id'],
    sources: { a: { format: 'csv' }, b: { format: 'csv' } },
    fields: [
      { name: 'trade_id', type: 'string' },
      { name: 'amount', type: 'decimal', scale: 2, tolerance: version % 2 === 0 ? '0.01' : '0.02' },
    ],
  });
}

/** Builds rows in memory a day at a time and inserts them in batches through unnest. */
class Loader {
  events: { device_id: string; seq: number; event: string; event_id: string; actor: string; at: string; action: string; target: string; prev_hash: string; hash: string }[] = [];
  outcomes: { device_id: string; seq: number }[] = [];
  runs: (string | number | null)[][] = [];
  decisions: (string | number | boolean | null)[][] = [];
  decisionBreaks: (string | number | null)[][] = [];
  approvals: (string | number | null)[][] = [];
  statuses = new Map<string, (string | number | null)[]>();
  definitions: (string | number | null)[][] = [];
  evidence: (string | number | null)[][] = [];

  constructor(private readonly c: pg.ClientBase) {}

  size(): number {
    return this.events.length;
  }

  async flush(): Promise<void> {
    const c = this.c;
    const cols = <T>(rows: T[][], i: number): T[] => rows.map((r) => r[i]!);
    if (this.events.length > 0) {
      const e = this.events;
      await c.query(
        `INSERT INTO recon.audit_events (device_id, seq, event, event_id, actor, at, action, target, prev_hash, hash)
         SELECT * FROM unnest($1::text[], $2::bigint[], $3::json[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[])`,
        [e.map((x) => x.device_id), e.map((x) => x.seq), e.map((x) => x.event), e.map((x) => x.event_id), e.map((x) => x.actor), e.map((x) => x.at), e.map((x) => x.action), e.map((x) => x.target), e.map((x) => x.prev_hash), e.map((x) => x.hash)],
      );
    }
    if (this.outcomes.length > 0) {
      await c.query(`INSERT INTO recon.event_outcomes (device_id, seq, outcome) SELECT d, s, 'APPLIED' FROM unnest($1::text[], $2::bigint[]) AS t(d, s)`, [this.outcomes.map((o) => o.device_id), this.outcomes.map((o) => o.seq)]);
    }
    if (this.runs.length > 0) {
      const r = this.runs;
      await c.query(
        `INSERT INTO recon.runs (run_id, device_id, definition_name, status, started_by, started_at, finished_at, total_breaks, summary, server_order)
         SELECT a, b, cc, 'COMPLETED', d, e, f, g, h::jsonb, i FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::text[], $9::bigint[]) AS t(a, b, cc, d, e, f, g, h, i)`,
        [0, 1, 2, 3, 4, 5, 6, 7, 8].map((i) => cols(r, i)),
      );
    }
    if (this.decisions.length > 0) {
      const d = this.decisions;
      await c.query(
        `INSERT INTO recon.decisions (decision_id, device_id, seq, run_id, kind, reason, comment, actor, decided_at, is_proposal, break_count, state, server_order)
         SELECT a, b, cc, d, e, f, g, h, i, j, k, 'APPLIED', l FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::bool[], $11::int[], $12::bigint[])
           AS t(a, b, cc, d, e, f, g, h, i, j, k, l)`,
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11].map((i) => cols(d, i)),
      );
    }
    if (this.decisionBreaks.length > 0) {
      const b = this.decisionBreaks;
      await c.query(`INSERT INTO recon.decision_breaks (decision_id, break_id, from_status, to_status, reason) SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[])`, [0, 1, 2, 3, 4].map((i) => cols(b, i)));
    }
    if (this.approvals.length > 0) {
      const a = this.approvals;
      await c.query(
        `INSERT INTO recon.approvals (approval_id, decision_id, device_id, seq, verdict, approver, comment, decided_at, state, server_order)
         SELECT a, b, cc, d, 'APPROVED', e, f, g, 'APPLIED', h FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[], $7::text[], $8::bigint[]) AS t(a, b, cc, d, e, f, g, h)`,
        [0, 1, 2, 3, 4, 5, 6, 7].map((i) => cols(a, i)),
      );
    }
    if (this.statuses.size > 0) {
      const s = [...this.statuses.values()];
      await c.query(
        `INSERT INTO recon.break_status (run_id, break_id, status, reason, decision_id, approval_id, changed_order) SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[])`,
        [0, 1, 2, 3, 4, 5, 6].map((i) => cols(s, i)),
      );
    }
    if (this.definitions.length > 0) {
      const d = this.definitions;
      await c.query(
        `INSERT INTO recon.definitions (device_id, seq, name, version, json, sha256, saved_by, saved_at, server_order) SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::int[], $5::text[], $6::text[], $7::text[], $8::text[], $9::bigint[])`,
        [0, 1, 2, 3, 4, 5, 6, 7, 8].map((i) => cols(d, i)),
      );
    }
    if (this.evidence.length > 0) {
      const e = this.evidence;
      await c.query(
        `INSERT INTO recon.review_breaks (run_id, break_id, key, field, diff_type, value_a, value_b, delta, base_status, reason, confidence)
         SELECT a, b, cc, d, 'MISMATCH', e, f, g::numeric, 'REVIEW', h, 0.5 FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[]) AS t(a, b, cc, d, e, f, g, h)`,
        [0, 1, 2, 3, 4, 5, 6, 7].map((i) => cols(e, i)),
      );
    }
    this.events = [];
    this.outcomes = [];
    this.runs = [];
    this.decisions = [];
    this.decisionBreaks = [];
    this.approvals = [];
    this.statuses = new Map();
    this.definitions = [];
    this.evidence = [];
  }
}

/** Generates and loads the team's year (the server must be migrated and empty). */
export async function loadTeam(su: pg.ClientBase, shape: TeamShape): Promise<TeamFacts> {
  const analysts: Dev[] = Array.from({ length: shape.analysts }, (_, i) => ({ id: randomUUID(), user: `analyst${i + 1}`, seq: 0, hash: GENESIS_HASH }));
  const approvers: Dev[] = Array.from({ length: shape.approvers }, (_, i) => ({ id: randomUUID(), user: `approver${i + 1}`, seq: 0, hash: GENESIS_HASH }));
  const devices = [...analysts, ...approvers];
  await su.query('SET session_replication_role = replica');
  await su.query(`INSERT INTO recon.users (user_id, display_name, db_login) SELECT u, u, u FROM unnest($1::text[]) AS t(u)`, [devices.map((d) => d.user)]);
  await su.query(`INSERT INTO recon.user_roles (user_id, role) SELECT u, r FROM unnest($1::text[], $2::text[]) AS t(u, r)`, [
    devices.map((d) => d.user),
    devices.map((d) => (analysts.includes(d) ? 'analyst' : 'approver')),
  ]);
  await su.query(`INSERT INTO recon.devices (device_id, first_login) SELECT d, u FROM unnest($1::text[], $2::text[]) AS t(d, u)`, [devices.map((d) => d.id), devices.map((d) => d.user)]);

  const loader = new Loader(su);
  let order = 0;
  const facts: TeamFacts = { events: 0, devices: devices.length, runs: 0, decisions: 0, pendingProposals: 0, oldPendingProposals: 0, reviewBreaks: 0, definitions: 0 };
  const dayMs = 86_400_000;
  const start = shape.end.getTime() - shape.days * dayMs;
  // Per run: 2 run events, D decisions, P proposals (+ their approvals); exports make up the rest.
  const runsTotal = shape.days * shape.recons;
  const perRun = Math.max(6, Math.floor((shape.events * 0.92) / runsTotal));
  const proposalsPerRun = Math.max(1, Math.round(perRun / 16));
  const decisionsPerRun = perRun - 2 - 2 * proposalsPerRun;
  const definitionsPerRecon = 3;
  const exportsTotal = shape.events - runsTotal * perRun - shape.recons * definitionsPerRecon;
  if (exportsTotal < 0) throw new Error('too few events for the shape');
  let exportsLeft = exportsTotal;
  let clock = start;
  const tick = (d: number, slot: number, slots: number): string => {
    // Monotonic: each event a little after the one before, within its day.
    clock = Math.max(clock + 1, start + d * dayMs + Math.floor(((slot + 0.5) / slots) * dayMs * 0.9));
    return new Date(clock).toISOString();
  };
  const emit = (dev: Dev, at: string, action: string, target: string, before: JsonValue, after: JsonValue, comment: string | null, projected: boolean): { seq: number; at: string } => {
    const body = { event_id: randomUUID(), device_id: dev.id, seq: dev.seq + 1, actor: dev.user, at, action, target, before, after, comment, prev_hash: dev.hash };
    const hash = hashEvent(body);
    loader.events.push({ device_id: dev.id, seq: body.seq, event: canonicalJson({ ...body, hash }), event_id: body.event_id, actor: dev.user, at, action, target, prev_hash: dev.hash, hash });
    if (projected) loader.outcomes.push({ device_id: dev.id, seq: body.seq });
    dev.seq = body.seq;
    dev.hash = hash;
    facts.events++;
    return { seq: body.seq, at };
  };

  for (let d = 0; d < shape.days; d++) {
    const slots = shape.recons + 1;
    const pendingDay = d >= shape.days - shape.pendingDays;
    // Definitions: each recon's versions on days 0, 1/3 and 2/3 of the year.
    for (let r = 0; r < shape.recons; r++) {
      const version = d === 0 ? 1 : d === Math.floor(shape.days / 3) ? 2 : d === Math.floor((2 * shape.days) / 3) ? 3 : 0;
      if (version === 0) continue;
      const dev = analysts[r % analysts.length]!;
      const name = `recon-${String(r + 1).padStart(3, '0')}`;
      const json = definitionJson(name, version);
      const sha = hashText(json);
      const e = emit(dev, tick(d, 0, slots), 'definition.saved', `definition:${name}`, null, { json, sha256: sha, version }, null, true);
      loader.definitions.push([dev.id, e.seq, name, version, json, sha, dev.user, e.at, ++order]);
      facts.definitions++;
    }
    for (let r = 0; r < shape.recons; r++) {
      const dev = analysts[r % analysts.length]!;
      const approver = approvers[(r + d) % approvers.length]!;
      const name = `recon-${String(r + 1).padStart(3, '0')}`;
      const runId = `run-${name}-d${String(d).padStart(3, '0')}`;
      const started = emit(dev, tick(d, r + 1, slots), 'run.started', `run:${runId}`, null, { status: 'RUNNING', definition_name: name, definition_version: null }, null, true);
      const breaks = decisionsPerRun * 2 + proposalsPerRun;
      const summary = { runId, breaks: { total: breaks }, attribution: { unknownRate: '0.05' } };
      const done = emit(dev, tick(d, r + 1, slots), 'run.completed', `run:${runId}`, { status: 'RUNNING' }, { status: 'COMPLETED', summary }, null, true);
      loader.runs.push([runId, dev.id, name, dev.user, started.at, done.at, breaks, JSON.stringify(summary), ++order]);
      facts.runs++;
      let breakId = 0;
      for (let k = 0; k < decisionsPerRun; k++) {
        const n = 1 + (k % 2);
        const ids = Array.from({ length: n }, () => ++breakId);
        // Applied decisions accept or reject (an override is always a proposal: local rule and server alike).
        const reject = k % 3 === 0;
        const reason = null;
        const kind = reject ? 'REJECT' : 'ACCEPT';
        const final = reject ? 'REJECTED' : 'ACCEPTED';
        const comment = reject ? 'not a break: booked twice' : null;
        const decisionId = randomUUID();
        const e = emit(
          dev,
          tick(d, r + 1, slots),
          'decision.applied',
          `run:${runId}`,
          { columns: ['break_id', 'status'], rows: ids.map((id) => [id, 'REVIEW']) },
          {
            decision: { decision_id: decisionId, run_id: runId, kind, reason, is_proposal: false, bulk_filter: null, break_count: n },
            columns: ['break_id', 'status', 'final_status', 'reason'],
            rows: ids.map((id) => [id, final, final, reason]),
          },
          comment,
          true,
        );
        const ord = ++order;
        loader.decisions.push([decisionId, dev.id, e.seq, runId, kind, reason, comment, dev.user, e.at, false, n, ord]);
        for (const id of ids) {
          loader.decisionBreaks.push([decisionId, id, 'REVIEW', final, reason]);
          loader.statuses.set(`${runId}#${id}`, [runId, id, final, reason, decisionId, null, ord]);
        }
        facts.decisions++;
      }
      for (let k = 0; k < proposalsPerRun; k++) {
        const id = ++breakId;
        const reason = REASONS[(k + r) % REASONS.length]!;
        const decisionId = randomUUID();
        const e = emit(
          dev,
          tick(d, r + 1, slots),
          'decision.proposed',
          `run:${runId}`,
          { columns: ['break_id', 'status'], rows: [[id, 'REVIEW']] },
          {
            decision: { decision_id: decisionId, run_id: runId, kind: 'OVERRIDE', reason, is_proposal: true, bulk_filter: null, break_count: 1 },
            columns: ['break_id', 'status', 'final_status', 'reason'],
            rows: [[id, 'PROPOSED', 'OVERRIDDEN', reason]],
          },
          'needs a second pair of eyes',
          true,
        );
        const ord = ++order;
        loader.decisions.push([decisionId, dev.id, e.seq, runId, 'OVERRIDE', reason, 'needs a second pair of eyes', dev.user, e.at, true, 1, ord]);
        loader.decisionBreaks.push([decisionId, id, 'REVIEW', 'OVERRIDDEN', reason]);
        loader.statuses.set(`${runId}#${id}`, [runId, id, 'PROPOSED', null, decisionId, null, ord]);
        facts.decisions++;
        // One in 400 older proposals is never settled: an open item from an older run.
        const forgotten = (d * shape.recons + r) % 400 === 7 && k === 0;
        if (pendingDay || forgotten) {
          facts.pendingProposals++;
          if (forgotten && !pendingDay) facts.oldPendingProposals++;
          // Pending: the approver's device exports instead, so the event count is kept.
          emit(approver, tick(d, r + 1, slots), 'export.written', 'export:queue', null, { kind: 'csv', path: `/exports/${runId}-queue.csv`, rows: 1 }, null, false);
          continue;
        }
        const approvalId = randomUUID();
        const a = emit(
          approver,
          tick(d, r + 1, slots),
          'proposal.approved',
          `decision:${decisionId}`,
          { maker: dev.user, columns: ['break_id', 'status'], rows: [[id, 'PROPOSED']] },
          { approval_id: approvalId, verdict: 'APPROVED', run_id: runId, kind: 'OVERRIDE', columns: ['break_id', 'status', 'reason'], rows: [[id, 'OVERRIDDEN', reason]] },
          'checked',
          true,
        );
        const aord = ++order;
        loader.approvals.push([approvalId, decisionId, approver.id, a.seq, approver.user, 'checked', a.at, aord]);
        loader.statuses.set(`${runId}#${id}`, [runId, id, 'OVERRIDDEN', reason, decisionId, approvalId, aord]);
      }
      // Evidence for the breaks under review (the first ten).
      for (let b = 1; b <= Math.min(10, breakId); b++) {
        loader.evidence.push([runId, b, `T${d}-${r}-${b}`, 'amount', '100.00', '100.02', '0.02', REASONS[b % REASONS.length]!]);
        facts.reviewBreaks++;
      }
    }
    // Exports spread over the year, by every device.
    const today = Math.floor(exportsLeft / (shape.days - d));
    for (let x = 0; x < today; x++) {
      const dev = devices[x % devices.length]!;
      emit(dev, tick(d, shape.recons, slots), 'export.written', `export:${dev.user}`, null, { kind: 'xlsx', path: `/exports/d${d}-${x}.xlsx`, rows: x }, null, false);
    }
    exportsLeft -= today;
    if (loader.size() >= 20_000 || d === shape.days - 1) await loader.flush();
  }
  await su.query(
    `INSERT INTO recon.chain_heads (device_id, seq, hash) SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[])`,
    [devices.map((d) => d.id), devices.map((d) => d.seq), devices.map((d) => d.hash)],
  );
  await su.query(`SELECT setval('recon.server_order', $1)`, [order]);
  await su.query('SET session_replication_role = origin');
  await su.query('ANALYZE');
  return facts;
}

function hashText(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
