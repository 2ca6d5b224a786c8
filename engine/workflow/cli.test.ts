import { cpSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { auditCommand } from '../cli/commands/audit.ts';
import { reviewCommand } from '../cli/commands/review.ts';
import { usersCommand } from '../cli/commands/users.ts';
import { openStore } from '../store/open.ts';
import { seedRun, tempDir } from './testing/fixtures.ts';
import { writeRunFile } from './testing/run-file.ts';

let tmp: ReturnType<typeof tempDir>;
let ws: string;
beforeAll(async () => {
  tmp = tempDir('recon-cli-');
  ws = join(tmp.dir, 'ws');
  mkdirSync(join(ws, 'runs'), { recursive: true });
  await writeRunFile(join(ws, 'runs', 'run-1.duckdb'), 300);
});
afterAll(() => tmp.cleanup());

/** Runs a command as `user`, capturing stdout. */
async function as(user: string, cmd: (argv: string[]) => Promise<number>, argv: string[]): Promise<{ code: number; out: string }> {
  const prev = process.env['RECON_USER'];
  process.env['RECON_USER'] = user;
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  try {
    return { code: await cmd([...argv, '--workspace', ws]), out };
  } finally {
    spy.mockRestore();
    if (prev === undefined) delete process.env['RECON_USER'];
    else process.env['RECON_USER'] = prev;
  }
}

const codeOf = (p: Promise<unknown>): Promise<unknown> => p.then(() => 'ok', (e: { code?: string }) => e.code);

describe('recon users / review / audit', () => {
  it('sets up users: the first becomes admin', async () => {
    expect((await as('ada', usersCommand, ['add', 'alice', '--name', 'Alice', '--role', 'analyst'])).code).toBe(0);
    await as('ada', usersCommand, ['add', 'bob', '--role', 'approver']);
    expect(await codeOf(as('alice', usersCommand, ['grant', 'alice', 'admin']))).toBe('FORBIDDEN_ROLE');
    const { out } = await as('ada', usersCommand, ['list', '--json']);
    expect(JSON.parse(out)).toMatchObject([{ userId: 'ada', roles: ['admin'] }, { userId: 'alice', roles: ['analyst'] }, { userId: 'bob', roles: ['approver'] }]);
    expect((await as('bob', usersCommand, ['whoami'])).out).toBe('bob (bob): approver\n');
    // The host registers runs; here the test does.
    const store = openStore(ws);
    seedRun(store, 'run-1', join(ws, 'runs', 'run-1.duckdb'));
    store.close();
  });

  it('lists, decides, proposes and approves', async () => {
    const list = await as('alice', reviewCommand, ['list', '--run', 'run-1', '--status', 'REVIEW', '--limit', '3', '--json']);
    expect(JSON.parse(list.out).map((b: { breakId: number }) => b.breakId)).toEqual([4, 8, 12]);
    expect((await as('alice', reviewCommand, ['list', '--run', 'run-1', '--limit', '2'])).out).toMatch(/^\s+id\s+key.*\n\s+1\s+T000001/);
    expect((await as('alice', reviewCommand, ['accept', '--run', 'run-1', '--break', '1'])).out).toMatch(/^accept applied: decision \S+, 1 break\n$/);
    const ov = await as('alice', reviewCommand, ['override', '--run', 'run-1', '--break', '2', '--reason', 'FX_DIFF', '--comment', 'EUR', '--json']);
    const proposal = JSON.parse(ov.out) as { decisionId: string; proposal: boolean };
    expect(proposal.proposal).toBe(true);
    expect(await codeOf(as('alice', reviewCommand, ['approve', '--proposal', proposal.decisionId]))).toBe('FORBIDDEN_SELF_APPROVAL');
    expect((await as('bob', reviewCommand, ['proposals'])).out).toContain(`${proposal.decisionId}  PENDING`);
    expect((await as('bob', reviewCommand, ['approve', '--proposal', proposal.decisionId])).out).toMatch(/^APPROVED proposal/);
    expect(await codeOf(as('alice', reviewCommand, ['reject', '--run', 'run-1', '--break', '3']))).toBe('COMMENT_REQUIRED');
    expect(await codeOf(as('alice', reviewCommand, ['accept', '--run', 'run-1', '--break', '1']))).toBe('ILLEGAL_TRANSITION');
  });

  it('bulk-decides over a filter', async () => {
    const r = await as('alice', reviewCommand, ['bulk', '--run', 'run-1', '--field', 'amount', '--reason', 'ROUNDING_DIFF', '--action', 'accept', '--json']);
    expect(JSON.parse(r.out)).toMatchObject({ kind: 'ACCEPT', proposal: false });
    const over = await as('alice', reviewCommand, ['bulk', '--run', 'run-1', '--field', 'counterparty', '--action', 'override', '--new-reason', 'STATIC_DATA', '--comment', 'mapping']);
    expect(over.out).toMatch(/^override proposed \(awaiting an approver\)/);
  });

  it('verifies and exports the trail, and a tampered copy fails verification', async () => {
    expect((await as('ada', auditCommand, ['verify'])).out).toMatch(/^audit chain ok: \d+ events on 1 device/);
    const out = join(tmp.dir, 'audit.ndjson');
    const ex = await as('ada', auditCommand, ['export', '--out', out]);
    expect(ex.out).toMatch(/^wrote \d+ audit events/);
    expect(readFileSync(out, 'utf8').split('\n').filter(Boolean).length).toBeGreaterThan(8);

    const copy = join(tmp.dir, 'copy');
    cpSync(ws, copy, { recursive: true });
    const db = new Database(join(copy, 'workspace.sqlite'));
    db.exec("DROP TRIGGER audit_events_no_update; UPDATE audit_events SET actor = 'mallory' WHERE seq = 5");
    db.close();
    const prev = ws;
    ws = copy;
    try {
      const v = await as('ada', auditCommand, ['verify', '--json']);
      expect(v.code).toBe(1);
      expect(JSON.parse(v.out)).toMatchObject({ ok: false, code: 'AUDIT_CHAIN_BROKEN', firstBreak: { seq: 5, problem: 'HASH_MISMATCH' } });
    } finally {
      ws = prev;
    }
  });

  it('verify lists every workflow row the trail does not explain (a role written into the file)', async () => {
    const copy = join(tmp.dir, 'copy-state');
    cpSync(ws, copy, { recursive: true });
    const db = new Database(join(copy, 'workspace.sqlite'));
    db.exec("INSERT INTO user_roles (user_id, role, granted_by, granted_at) VALUES ('alice', 'admin', 'ada', 'now')");
    db.close();
    const prev = ws;
    ws = copy;
    try {
      const v = await as('ada', auditCommand, ['verify']);
      expect(v.code).toBe(1);
      expect(v.out).toMatch(/^AUDIT CHAIN BROKEN \[STATE_MISMATCH\][\s\S]*user_roles alice: alice holds \[.*admin.*\] but the audit trail gives \[analyst\]/);
    } finally {
      ws = prev;
    }
  });

  it("review proposals marks one the team server superseded (not PENDING), and review list reads a run pulled from the server", async () => {
    const made = await as('alice', reviewCommand, ['override', '--run', 'run-1', '--break', '7', '--reason', 'TIMING_DIFF', '--comment', 'T+2', '--json']);
    const decisionId = (JSON.parse(made.out) as { decisionId: string }).decisionId;
    const store = openStore(ws);
    try {
      // What sync/apply-remote.ts records when another device's decision on the same break reached the server first.
      store.db
        .prepare("INSERT INTO sync_decisions (id, kind, decision_id, device_id, server_order, state, detail, synced_at) VALUES (?, 'decision', ?, ?, 99, 'SUPERSEDED', 'superseded by decision 0c0ffee', 'now')")
        .run(decisionId, decisionId, store.deviceId);
      // A run made on another workstation, and its evidence, as a pull writes them.
      seedRun(store, 'remote-1', 'remote:other-device');
      store.db.prepare("INSERT INTO sync_remote_runs (run_id, device_id, pulled_at) VALUES ('remote-1', 'other-device', 'now')").run();
      const evidence = store.db.prepare(
        "INSERT INTO sync_remote_breaks (run_id, break_id, key, field, diff_type, value_a, value_b, delta, base_status, reason, confidence, pushed_by) VALUES ('remote-1', ?, ?, 'amount', 'MISMATCH', '100.00', '100.02', '0.02', 'REVIEW', 'ROUNDING_DIFF', '0.6', 'carol')",
      );
      for (let id = 1; id <= 3; id++) evidence.run(id, `T${id}`);
    } finally {
      store.close();
    }
    const proposals = await as('bob', reviewCommand, ['proposals']);
    expect(proposals.out).toMatch(new RegExp(`${decisionId}  SUPERSEDED[\\s\\S]*the team server took another decision first \\(superseded by decision 0c0ffee\\): it waits for no one`));
    const list = await as('bob', reviewCommand, ['list', '--run', 'remote-1', '--json']);
    expect(list.code).toBe(0);
    expect((JSON.parse(list.out) as { breakId: number }[]).map((b) => b.breakId)).toEqual([1, 2, 3]);
    // A proposal on a run made elsewhere says whose evidence the approver is judging.
    const remote = await as('alice', reviewCommand, ['override', '--run', 'remote-1', '--break', '2', '--reason', 'TIMING_DIFF', '--comment', 'T+1', '--json']);
    const remoteId = (JSON.parse(remote.out) as { decisionId: string }).decisionId;
    const pending = await as('bob', reviewCommand, ['proposals']);
    expect(pending.out).toMatch(new RegExp(`${remoteId}  PENDING[^\\n]*\\n    "T\\+1"\\n    evidence pushed to the team server by carol \\(1 break\\)`));
  });
});
