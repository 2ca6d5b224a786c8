/**
 * The reason-code catalogue: admins add and retire codes; a retired code stays
 * valid in history. System codes are the ones the engine assigns itself
 * (UNKNOWN, and the codes that follow from the diff type): every run keeps
 * assigning them and the quality gate counts UNKNOWN, so they can be neither
 * retired nor added again (REASON_CODE_SYSTEM).
 */
import { MANUAL_MATCH_REASON, SQL_ATTRIBUTED_DIFF_TYPES, STRUCTURAL_REASONS, UNKNOWN_REASON, type ReasonCategory } from '../attribution/catalogue.ts';
import { ReconError } from '../errors/recon-error.ts';
import { appendAuditEvent } from '../store/audit-log.ts';
import { sql } from '../store/sql.ts';
import type { ReadTx, Store } from '../store/store.ts';
import type { Identity } from './identity.ts';
import { requireRole } from './roles.ts';

export type { ReasonCategory };

/** Codes the engine assigns itself, whatever the catalogue says (MANUAL_MATCH: the workflow settles a manual match's breaks with it). */
export const SYSTEM_REASON_CODES: readonly string[] = [UNKNOWN_REASON, ...STRUCTURAL_REASONS, ...SQL_ATTRIBUTED_DIFF_TYPES, MANUAL_MATCH_REASON];

/** Whether `code` is a system code (never retired, never redefined). */
export function isSystemReason(code: string): boolean {
  return SYSTEM_REASON_CODES.includes(code);
}

/** A catalogue entry. */
export interface ReasonCode {
  code: string;
  description: string;
  category: ReasonCategory;
  retiredAt: string | null;
  /** Assigned by the engine itself: cannot be retired. */
  system: boolean;
  /** Days a break with this reason may stay open before it is overdue; null: no SLA. */
  slaDays: number | null;
}

/** The catalogue, active codes first. */
export function listReasonCodes(store: Store, opts: { includeRetired?: boolean } = {}): ReasonCode[] {
  const rows = store.read((tx) =>
    tx.all<{ code: string; description: string; category: ReasonCategory; retired_at: string | null; sla_days: number | null }>(
      sql`SELECT code, description, category, retired_at, sla_days FROM reason_codes ORDER BY retired_at IS NOT NULL, code`,
    ),
  );
  return rows
    .filter((r) => opts.includeRetired || r.retired_at === null)
    .map((r) => ({ code: r.code, description: r.description, category: r.category, retiredAt: r.retired_at, system: isSystemReason(r.code), slaDays: r.sla_days }));
}

/** Every code with an SLA (retired ones too: breaks keep their reason), for the grid's overdue columns. */
export function readReasonSlas(tx: ReadTx): { reason: string; sla_days: number }[] {
  return tx.all<{ reason: string; sla_days: number }>(sql`SELECT code AS reason, sla_days FROM reason_codes WHERE sla_days IS NOT NULL ORDER BY code`);
}

/** The most days an SLA may be (ten years). */
export const MAX_SLA_DAYS = 3650;

/**
 * Admin: sets a code's SLA in days, or clears it with null (audit:
 * reason.sla_changed). A break whose reason now has an SLA is overdue once
 * its age in days exceeds it. System and retired codes take one too: breaks
 * keep those reasons.
 */
export function setReasonSla(store: Store, actor: Identity, code: string, slaDays: number | null): void {
  if (slaDays !== null && (!Number.isSafeInteger(slaDays) || slaDays < 0 || slaDays > MAX_SLA_DAYS)) {
    throw new ReconError('INVALID_ARGUMENT', `an SLA is a whole number of days from 0 to ${MAX_SLA_DAYS}, got ${slaDays}`);
  }
  store.write((tx) => {
    requireRole(tx, actor, 'admin', 'edit the reason-code catalogue');
    const row = tx.get<{ sla_days: number | null }>(sql`SELECT sla_days FROM reason_codes WHERE code = ${code}`);
    if (!row) throw new ReconError('REASON_UNKNOWN', `unknown reason code "${code}" (see the catalogue)`, { reason: code });
    if (row.sla_days === slaDays) return;
    tx.run(sql`UPDATE reason_codes SET sla_days = ${slaDays} WHERE code = ${code}`);
    appendAuditEvent(tx, { actor: actor.userId, action: 'reason.sla_changed', target: `reason:${code}`, before: { sla_days: row.sla_days }, after: { sla_days: slaDays } });
  });
}

/** Throws unless `code` is in the catalogue and not retired (new decisions use active codes only). */
export function requireActiveReason(tx: ReadTx, code: string): void {
  const row = tx.get<{ retired_at: string | null }>(sql`SELECT retired_at FROM reason_codes WHERE code = ${code}`);
  if (!row) throw new ReconError('REASON_UNKNOWN', `unknown reason code "${code}" (see the catalogue)`, { reason: code });
  if (row.retired_at !== null) throw new ReconError('REASON_UNKNOWN', `reason code "${code}" was retired on ${row.retired_at}`, { reason: code });
}

/** Admin: adds a code (audit: reason.added). */
export function addReasonCode(store: Store, actor: Identity, entry: { code: string; description: string; category: ReasonCategory }): void {
  if (!/^[A-Z][A-Z0-9_]*$/.test(entry.code)) throw new ReconError('INVALID_ARGUMENT', `a reason code is UPPER_SNAKE_CASE, got "${entry.code}"`);
  if (entry.category !== 'ACTION' && entry.category !== 'NOISE') throw new ReconError('INVALID_ARGUMENT', 'category must be ACTION or NOISE');
  if (isSystemReason(entry.code)) throw systemCode(entry.code, 'redefined');
  store.write((tx) => {
    requireRole(tx, actor, 'admin', 'edit the reason-code catalogue');
    if (tx.get(sql`SELECT 1 AS x FROM reason_codes WHERE code = ${entry.code}`)) throw new ReconError('INVALID_ARGUMENT', `reason code ${entry.code} already exists`);
    tx.run(sql`INSERT INTO reason_codes (code, description, category, created_at) VALUES (${entry.code}, ${entry.description}, ${entry.category}, ${tx.now})`);
    appendAuditEvent(tx, { actor: actor.userId, action: 'reason.added', target: `reason:${entry.code}`, before: null, after: { ...entry } });
  });
}

function systemCode(code: string, what: 'retired' | 'redefined'): ReconError {
  return new ReconError('REASON_CODE_SYSTEM', `${code} is a system reason code: the engine assigns it to every run (${SYSTEM_REASON_CODES.join(', ')}), so it cannot be ${what}`, { reason: code });
}

/** Admin: retires a code (audit: reason.retired); never a system code. */
export function retireReasonCode(store: Store, actor: Identity, code: string, comment?: string): void {
  store.write((tx) => {
    requireRole(tx, actor, 'admin', 'edit the reason-code catalogue');
    if (isSystemReason(code)) throw systemCode(code, 'retired');
    requireActiveReason(tx, code);
    tx.run(sql`UPDATE reason_codes SET retired_at = ${tx.now} WHERE code = ${code}`);
    appendAuditEvent(tx, { actor: actor.userId, action: 'reason.retired', target: `reason:${code}`, before: { retired_at: null }, after: { retired_at: tx.now }, comment: comment ?? null });
  });
}
