import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openStore } from '../../store/open.ts';
import { sql } from '../../store/sql.ts';
import { sourceCommand } from './source.ts';

/**
 * `recon source` changes a workspace's saved connections as governed acts, like
 * the desktop app's Settings → Connections: admin only, each an audit event
 * (engine/workflow/connections.ts), never with a secret in it.
 */
const dir = mkdtempSync(join(tmpdir(), 'recon-source-cli-'));
const ws = join(dir, 'ws');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let out = '';
beforeEach(() => {
  out = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

const as = (user: string): void => void vi.stubEnv('RECON_USER', user);

function trail(): { action: string; actor: string; target: string; before: string | null; after: string | null }[] {
  const store = openStore(ws);
  try {
    return store.read((tx) => tx.all(sql`SELECT action, actor, target, before, after FROM audit_events WHERE action LIKE 'connection.%' ORDER BY at, seq`));
  } finally {
    store.close();
  }
}

describe('recon source: audited, admin only', () => {
  it('add-connection and remove are connection.* events by the acting admin; a literal header value is not recorded', async () => {
    as('ada');
    const http = ['add-connection', 'api', '--driver', 'http', '--base-url', 'http://127.0.0.1:1/v1', '--header', 'Authorization: Bearer {secret}', '--header', 'X-Key: literal-key-123', '--workspace', ws];
    expect(await sourceCommand(http)).toBe(0);
    expect(out).toContain('saved connection "api"');
    expect(await sourceCommand(['add-connection', 'ledger', '--driver', 'postgres', '--host', '127.0.0.1', '--database', 'fin', '--user', 'reader', '--workspace', ws])).toBe(0);
    expect(await sourceCommand(['add-connection', 'ledger', '--driver', 'postgres', '--host', '127.0.0.1', '--database', 'fin', '--user', 'reader', '--query-timeout', '60', '--workspace', ws])).toBe(0);

    // ada, the first to act, is the workspace's admin; cy is no one here.
    as('cy');
    await expect(sourceCommand(['remove', 'ledger', '--workspace', ws])).rejects.toMatchObject({ code: 'FORBIDDEN_ROLE' });
    await expect(sourceCommand(['add-connection', 'x', '--driver', 'postgres', '--host', 'h', '--database', 'd', '--user', 'u', '--workspace', ws])).rejects.toMatchObject({ code: 'FORBIDDEN_ROLE' });
    // Anyone lists.
    expect(await sourceCommand(['list', '--workspace', ws])).toBe(0);

    as('ada');
    expect(await sourceCommand(['remove', 'ledger', '--workspace', ws])).toBe(0);
    const events = trail();
    expect(events.map((e) => `${e.actor} ${e.action} ${e.target}`)).toEqual([
      'ada connection.saved connection:api',
      'ada connection.saved connection:ledger',
      'ada connection.saved connection:ledger',
      'ada connection.removed connection:ledger',
    ]);
    expect(JSON.parse(events[0]!.after!)).toMatchObject({ base_url: 'http://127.0.0.1:1/v1', headers: { Authorization: 'Bearer {secret}', 'X-Key': '(set, not recorded)' } });
    expect(JSON.parse(events[2]!.before!)).toMatchObject({ query_timeout_seconds: 3600 });
    expect(JSON.parse(events[2]!.after!)).toMatchObject({ query_timeout_seconds: 60 });
    expect(JSON.stringify(events)).not.toContain('literal-key-123');
  });
});
