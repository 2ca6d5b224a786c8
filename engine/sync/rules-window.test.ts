/**
 * A new workstation's windowed first pull brings the team's reason rules
 * whatever their age: a rule approved before the window (its events older
 * than the window, not pulled) is in force there and applies to its next run,
 * and a proposal waiting from before the window is in its approver's queue,
 * approvable there and applied by the server; the rows taken on the server's
 * word pass `recon audit verify`.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { definitionSchema } from '../definition/schema.ts';
import { generateExtracts } from '../generate/generate-extracts.ts';
import { approveRuleProposal, listRuleProposals, proposeReasonRule, reasonRulesInForce } from '../rules/governance.ts';
import { readRun } from '../rules/testing/rule-runs.ts';
import { runRecon } from '../run/run-recon.ts';
import { sql } from '../store/sql.ts';
import { verifyTrail } from '../workflow/chain-state.ts';
import { ADA, ALICE, BOB, CAROL, seedUsers, tempDir } from '../workflow/testing/fixtures.ts';
import { readAnchors } from './chain-anchors.ts';
import { runPull } from './cycle.ts';
import { saveConnection } from './local-state.ts';
import { readSyncStatus } from './status.ts';
import { openDevice, type Device } from './testing/devices.ts';
import { grantServerRoles, startTestPg, type TestPg } from './testing/pg-server.ts';

const DEFINITION = 'Trades vs custodian (generated)';
const RULE = { name: 'Notional is timing', reason: 'TIMING_DIFF', definition: DEFINITION, order: 1, conditions: { field: 'Notional', diffType: 'MISMATCH' } };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let server: TestPg;
let tmp: ReturnType<typeof tempDir>;
let maker: Device;
let checker: Device;
let fresh: Device;
let ruleId = '';
let pendingId = '';

beforeAll(async () => {
  tmp = tempDir('recon-sync-rules-window-');
  server = await startTestPg();
  await grantServerRoles(server, { ada: ['admin'], alice: ['analyst'], bob: ['approver'], carol: ['approver'] });
  maker = openDevice(tmp.dir, 'maker', server, { login: 'alice' });
  checker = openDevice(tmp.dir, 'checker', server, { login: 'bob' });
  seedUsers(maker.store);
  seedUsers(checker.store);
  // Long ago: a rule proposed and approved, and another proposal still waiting.
  const p = proposeReasonRule(maker.store, ALICE, { rule: RULE });
  ruleId = p.ruleId;
  pendingId = proposeReasonRule(maker.store, ALICE, { rule: { ...RULE, name: 'Price is timing', order: 2, conditions: { field: 'Price' } } }).proposalId;
  await maker.sync();
  await checker.sync();
  approveRuleProposal(checker.store, BOB, p.proposalId);
  await checker.sync();
  await sleep(50);
  const since = new Date().toISOString();
  await sleep(50);
  // In the window: more work on both chains (each then held from an anchor).
  await maker.sync();
  await checker.sync();
  fresh = openDevice(tmp.dir, 'fresh', server, { login: 'carol' });
  saveConnection(fresh.store, ADA, fresh.settings);
  await runPull(fresh.store, fresh.pool, { scope: { since } });
}, 180_000);

afterAll(async () => {
  for (const d of [maker, checker, fresh]) await d?.close();
  await server?.destroy();
  tmp?.cleanup();
});

describe('reason rules on a windowed first pull', () => {
  it('the rule approved before the window is in force on the new workstation, its events not pulled', () => {
    const anchored = fresh.store.read((tx) => readAnchors(tx)).map((a) => a.deviceId);
    expect(anchored).toContain(checker.store.deviceId);
    // The approval event is older than the window: not in the local trail.
    const held = fresh.store.read((tx) => tx.all(sql`SELECT 1 AS x FROM audit_events WHERE target = ${`rule:${ruleId}`}`));
    expect(held).toEqual([]);
    expect(fresh.store.read((tx) => reasonRulesInForce(tx, DEFINITION))).toEqual([expect.objectContaining({ ruleId, version: 1, reason: 'TIMING_DIFF' })]);
    expect(listRuleProposals(fresh.store, { pendingOnly: true }).map((x) => x.proposalId)).toEqual([pendingId]);
    expect(verifyTrail(fresh.store)).toMatchObject({ ok: true });
  });

  it("applies to the new workstation's next run", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'recon-rules-window-run-'));
    try {
      const gen = await generateExtracts({ rows: 1500, outDir: join(dir, 'data'), seed: 5 });
      const definition = definitionSchema.parse(JSON.parse(await readFile(gen.definitionPath, 'utf8')));
      const reasonRules = fresh.store.read((tx) => reasonRulesInForce(tx, definition.name));
      const s = await runRecon({ aPath: gen.aPath, bPath: gen.bPath, definition, workspace: join(dir, 'ws'), reasonRules });
      const rows = await readRun<{ field: string; reason: string; rule_id: string | null }>(s.database, 'SELECT b.field, t.reason, t.rule_id FROM breaks b JOIN attributions t USING (break_id)');
      const notional = rows.filter((r) => r.field === 'Notional');
      expect(notional.length).toBeGreaterThan(0);
      expect(notional.every((r) => r.rule_id === ruleId && r.reason === 'TIMING_DIFF')).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('the proposal waiting from before the window is approved there and applied by the server', async () => {
    approveRuleProposal(fresh.store, CAROL, pendingId);
    await fresh.sync();
    expect(readSyncStatus(fresh.store).parked).toEqual([]);
    await maker.sync();
    expect(maker.store.read((tx) => reasonRulesInForce(tx, DEFINITION)).map((r) => r.name)).toEqual(['Notional is timing', 'Price is timing']);
  }, 120_000);
});
