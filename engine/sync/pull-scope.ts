/**
 * What a workstation pulls from the team server (issue 17, item 15). A new
 * workstation does not take the whole team history: its first pull brings
 * roles, definitions, every open item, and the history of a recent window
 * (default 30 days), optionally of some recons only; older history comes on
 * demand (`recon sync pull --history`). The window is a workspace setting
 * (`sync.pullWindow`, audited like every setting, admin only) and can be
 * given per command. Once the first pull has run, what it covered is kept in
 * `sync_state['pull.window']`: later pulls are incremental, as before.
 */
import { appendAuditEvent } from '../store/audit-log.ts';
import { canonicalJson, type JsonValue } from '../store/canonical-json.ts';
import { sql } from '../store/sql.ts';
import type { ReadTx, Store, WriteTx } from '../store/store.ts';
import { requireSettingExplained } from '../workflow/chain-state.ts';
import type { Identity } from '../workflow/identity.ts';
import { requireRole } from '../workflow/roles.ts';
import { SyncError } from './errors.ts';
import { getState, setState } from './local-state.ts';

export const SCOPE_KEY = 'sync.pullWindow';
export const DEFAULT_WINDOW_DAYS = 30;

/** The workspace's pull window: days of history on a first pull (0 = everything), and the recons to pull (null = all). */
export interface PullScope {
  days: number;
  recons: string[] | null;
}

/** What the first pull covered (sync_state['pull.window']); `done` once its shared state is in. */
export interface PullWindow {
  since: string;
  recons: string[] | null;
  done: boolean;
}

/** Per-command overrides (`recon sync pull --days N --recon NAME`). */
export interface ScopeOverride {
  days?: number;
  /** The window's start itself (ISO-8601), instead of days before now. */
  since?: string;
  recons?: string[] | null;
}

/** The setting, or the default. */
export function readScope(tx: ReadTx): PullScope {
  const row = tx.get<{ value: string }>(sql`SELECT value FROM settings WHERE key = ${SCOPE_KEY}`);
  requireSettingExplained(tx, SCOPE_KEY, row?.value);
  return row ? parseScope(JSON.parse(row.value)) : { days: DEFAULT_WINDOW_DAYS, recons: null };
}

/** Admin: sets the workspace's pull window (audit: setting.changed). */
export function saveScope(store: Store, actor: Identity, scope: PullScope): PullScope {
  const clean = parseScope(scope);
  store.write((tx) => {
    requireRole(tx, actor, 'admin', 'change the team pull window');
    const before = readScope(tx);
    const value: JsonValue = { days: clean.days, recons: clean.recons };
    tx.run(sql`INSERT INTO settings (key, value, updated_at) VALUES (${SCOPE_KEY}, ${canonicalJson(value)}, ${tx.now})
      ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`);
    appendAuditEvent(tx, { actor: actor.userId, action: 'setting.changed', target: `setting:${SCOPE_KEY}`, before: { value: before as unknown as JsonValue }, after: { value } });
  });
  return clean;
}

function parseScope(v: unknown): PullScope {
  const o = (v ?? {}) as { days?: unknown; recons?: unknown };
  const days = o.days ?? DEFAULT_WINDOW_DAYS;
  if (typeof days !== 'number' || !Number.isSafeInteger(days) || days < 0) throw new SyncError('SYNC_INVALID_SETTINGS', 'the pull window is a whole number of days ≥ 0 (0: the whole history)');
  const recons = o.recons ?? null;
  if (recons !== null && (!Array.isArray(recons) || recons.some((r) => typeof r !== 'string' || r === ''))) throw new SyncError('SYNC_INVALID_SETTINGS', 'recons are definition names');
  return { days, recons: recons === null || recons.length === 0 ? null : [...new Set(recons as string[])].sort() };
}

/** The pull window in force, if this workspace's first pull was windowed. */
export function readWindow(tx: ReadTx): PullWindow | null {
  return getState<PullWindow & Record<string, JsonValue>>(tx, 'pull.window') ?? null;
}

/** The start of a window of `days` days before `now` (ISO-8601, as event times are written). */
export function windowStart(days: number, now = new Date()): string {
  return new Date(now.getTime() - days * 86_400_000).toISOString();
}

/**
 * Decides what this pull is. A workspace that never pulled starts a window
 * (unless the window is 0 days: the whole history, as before); a first pull
 * that was interrupted resumes its window; otherwise the pull is incremental.
 * Returns the window of a first pull still to be completed, or null.
 */
export function beginPull(store: Store, override: ScopeOverride = {}): PullWindow | null {
  // Every pull asks; only a workspace's first pull writes (its window), so the common case takes no write lock.
  const known = store.read((tx) => ({ window: readWindow(tx), pulled: getState<number>(tx, 'pull.serverOrder') !== undefined }));
  if (known.window) return known.window.done ? null : known.window;
  if (known.pulled) return null;
  return store.write((tx) => {
    const current = readWindow(tx);
    if (current) return current.done ? null : current;
    if (getState<number>(tx, 'pull.serverOrder') !== undefined) return null;
    const scope = readScope(tx);
    const days = override.days ?? scope.days;
    const recons = override.recons !== undefined ? override.recons : scope.recons;
    if (override.since === undefined && days === 0 && recons === null) return null;
    // 0 days with recons: the whole history of those recons.
    const since = override.since ?? (days === 0 ? '0000' : windowStart(days));
    const window: PullWindow = { since, recons: recons && recons.length > 0 ? [...recons].sort() : null, done: false };
    setWindow(tx, window);
    return window;
  });
}

/** Records the window (and its completion). */
export function setWindow(tx: WriteTx, w: PullWindow): void {
  setState(tx, 'pull.window', { since: w.since, recons: w.recons, done: w.done });
}

/** The recons this workspace pulls (null: all): a windowed first pull's choice holds for later pulls. */
export function pulledRecons(tx: ReadTx): string[] | null {
  return readWindow(tx)?.recons ?? null;
}
