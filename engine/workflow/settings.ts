/** Workspace settings the workflow reads, with defaults; changing one is an audited admin action. */
import { ReconError } from '../errors/recon-error.ts';
import { requireSettingExplained } from './chain-state.ts';
import { appendAuditEvent } from '../store/audit-log.ts';
import { canonicalJson } from '../store/canonical-json.ts';
import { sql } from '../store/sql.ts';
import type { ReadTx, Store } from '../store/store.ts';
import type { Identity } from './identity.ts';
import { requireRole } from './roles.ts';

/** Known settings and their defaults. */
export const SETTINGS = {
  /** A bulk decision over more breaks than this is a proposal (needs an approver). */
  'review.bulkProposalThreshold': 50,
  /** A manual match or unmatch whose amount (the larger absolute sum of its two sides) is above this needs an approver. */
  'matching.approvalAbove': 10000,
} as const;

export type SettingKey = keyof typeof SETTINGS;

/** A setting's value (the default when unset). */
export function readSetting(tx: ReadTx, key: SettingKey): number {
  const row = tx.get<{ value: string }>(sql`SELECT value FROM settings WHERE key = ${key}`);
  // A limit raised in workspace.sqlite behind the app's back (to skip the 4-eye rule) is refused.
  requireSettingExplained(tx, key, row?.value);
  return row ? (JSON.parse(row.value) as number) : SETTINGS[key];
}

/** Admin: changes a setting (audit: setting.changed). */
export function setSetting(store: Store, actor: Identity, key: SettingKey, value: number): void {
  if (!(key in SETTINGS)) throw new ReconError('INVALID_ARGUMENT', `unknown setting "${String(key)}"`);
  if (!Number.isSafeInteger(value) || value < 0) throw new ReconError('INVALID_ARGUMENT', `${key} must be a whole number ≥ 0`);
  store.write((tx) => {
    requireRole(tx, actor, 'admin', 'change settings');
    const before = readSetting(tx, key);
    tx.run(sql`INSERT INTO settings (key, value, updated_at) VALUES (${key}, ${canonicalJson(value)}, ${tx.now})
      ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`);
    appendAuditEvent(tx, { actor: actor.userId, action: 'setting.changed', target: `setting:${key}`, before: { value: before }, after: { value } });
  });
}
