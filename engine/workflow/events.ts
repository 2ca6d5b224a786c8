/** Audited actions that change no workflow table: a model promoted, an export written. */
import { appendAuditEvent } from '../store/audit-log.ts';
import { toJsonSafe } from '../store/canonical-json.ts';
import type { Store } from '../store/store.ts';
import type { Identity } from './identity.ts';
import { requireRole } from './roles.ts';

/** Admin: a retrained model replaced the current one (audit: model.promoted). Metrics may hold floats; they are stored as decimal strings. */
export function recordModelPromoted(
  store: Store,
  actor: Identity,
  model: { version: string; previousVersion?: string | null; path: string; trainingSetSize: number; metrics?: unknown },
): void {
  const after = toJsonSafe(model);
  store.write((tx) => {
    requireRole(tx, actor, 'admin', 'promote models');
    appendAuditEvent(tx, { actor: actor.userId, action: 'model.promoted', target: `model:${model.version}`, before: { version: model.previousVersion ?? null }, after });
  });
}

/** An export (report, breaks file, audit trail) was written (audit: export.written). No role: it only reads. */
export function recordExportWritten(store: Store, actor: Identity, exp: { kind: string; path: string; runId?: string | null; sha256?: string; rows?: number }): void {
  const after = toJsonSafe(exp);
  store.write((tx) => {
    appendAuditEvent(tx, { actor: actor.userId, action: 'export.written', target: exp.runId ? `run:${exp.runId}` : `export:${exp.kind}`, before: null, after });
  });
}
