import { createHash, sign } from 'node:crypto';
import { verifyTrail } from '../workflow/chain-state.ts';
import { canonicalJson, toJsonSafe, type JsonValue } from '../store/canonical-json.ts';
import type { Store } from '../store/store.ts';
import { workspaceSigningKey } from './keys.ts';
import type { FinishedRun } from '../run-file/finished-run.ts';
import type { ExportSummary } from './summary.ts';
import { renderSummaryText } from './summary-text.ts';

/**
 * The evidence pack: one JSON file an auditor can check without the app's
 * database. It holds the SHA-256 of both inputs, the definition used, the
 * model version, counts, check results, the quality gate, the lifecycle
 * against the previous run (a run with break memory) and the audit chain
 * head at export time, plus the rendered summary, all signed with the
 * workspace's Ed25519 key (whose public half is inside).
 *
 * What is signed: the canonical JSON of the pack without its "signature"
 * member: object keys sorted by UTF-16 code unit, no whitespace, numbers only
 * as integers (every fraction is a string), UTF-8. `recon evidence verify`
 * does exactly this; so can any Ed25519 tool given those bytes. Members are
 * only ever added (never renamed or reshaped), so a pack made before still
 * verifies: what is signed is whatever the pack holds.
 */
export const EVIDENCE_FORMAT = 'recon-evidence/1';

export const CANONICALIZATION =
  'UTF-8 canonical JSON of the pack without "signature": keys sorted by UTF-16 code unit, no whitespace, integers only (fractions are strings)';

export interface EvidenceSignature {
  algorithm: 'Ed25519';
  /** SPKI PEM. */
  publicKey: string;
  /** SHA-256 of the public key's SPKI DER, hex. */
  keyFingerprint: string;
  canonicalization: string;
  /** Base64. */
  value: string;
}

/** One input as the pack states it; a file's members exactly as before, so older packs read the same. */
function evidenceInput(i: ExportSummary['inputs']['a']): Record<string, unknown> {
  return { path: i.path, bytes: i.bytes, sha256: i.sha256, format: i.format, ...(i.query ? { query: i.query } : {}), ...(i.http ? { http: i.http } : {}) };
}

/** Builds and signs the pack. */
export async function buildEvidencePack(
  run: FinishedRun,
  summary: ExportSummary,
  opts: { store: Store | undefined; actor: string; now?: Date },
): Promise<{ pack: Record<string, JsonValue>; text: string }> {
  const chain = opts.store ? verifyTrail(opts.store) : undefined;
  const definition = toJsonSafe(run.definition);
  const m = summary.memory;
  const body = toJsonSafe({
    format: EVIDENCE_FORMAT,
    createdAt: (opts.now ?? new Date()).toISOString(),
    createdBy: opts.actor,
    run: { runId: run.runId, definition: summary.definition, startedAt: summary.startedAt, finishedAt: summary.finishedAt },
    // A query source adds where its rows came from: connection (no password), query, parameters, rows and their SHA-256.
    inputs: { a: evidenceInput(summary.inputs.a), b: evidenceInput(summary.inputs.b) },
    // A diff run on a ClickHouse cluster names it (nodes, cluster, database); a local run's pack reads as before.
    ...(summary.engine.name === 'clickhouse' ? { engine: summary.engine } : {}),
    definition,
    definitionSha256: createHash('sha256').update(canonicalJson(definition), 'utf8').digest('hex'),
    model: summary.model,
    counts: summary.counts,
    breaks: { total: summary.breaks.total, byType: summary.breaks.byType, byField: summary.breaks.byField, byReason: summary.breaks.byReason, byModelReason: summary.breaks.byModelReason, autoExplained: summary.breaks.autoExplained },
    checks: summary.checks,
    checksPassed: summary.checksPassed,
    gate: summary.gate,
    controlTotals: summary.controlTotals,
    // Reviewers' progress as the run overview shows it: decided by final status, and what became of every proposal.
    review: { decided: summary.review.decided, decidedByStatus: summary.review.decidedByStatus, proposals: summary.review.proposals },
    // The reason rules in force for the run (engine/rules): id, version and the hash of their conditions; absent when none.
    ...(summary.reasonRules ? { reasonRules: summary.reasonRules } : {}),
    // The run in its series, as summary.json states it; absent for a run from before break memory, whose pack reads as before.
    ...(m ? { lifecycle: { previousRunId: m.previousRunId, asOf: m.asOf, ...m.lifecycle, decisionsCarried: m.decisionsCarried, decisionsDropped: m.decisionsDropped } } : {}),
    auditChainHead: chain
      ? { verified: chain.ok, events: chain.events, devices: chain.devices.map((d) => ({ deviceId: d.deviceId, seq: d.headSeq, hash: d.headHash })), ...(chain.firstBreak ? { firstBreak: chain.firstBreak } : {}) }
      : null,
    summaryText: renderSummaryText(summary),
  }) as Record<string, JsonValue>;
  const key = await workspaceSigningKey(run.workspace);
  const value = sign(null, Buffer.from(canonicalJson(body), 'utf8'), key.privateKey).toString('base64');
  const signature: EvidenceSignature = { algorithm: 'Ed25519', publicKey: key.publicPem, keyFingerprint: key.fingerprint, canonicalization: CANONICALIZATION, value };
  const pack = { ...body, signature: signature as unknown as JsonValue };
  return { pack, text: `${JSON.stringify(pack, null, 2)}\n` };
}
