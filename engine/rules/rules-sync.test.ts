/**
 * Reason rules through the team's real PostgreSQL: a rule proposed on one
 * workstation and approved on the other reaches the first with its proposal and verdict,
 * each row bound to the pulled events (the other workspace's trail verifies),
 * and applies to the other workstation's next run; a retirement travels back.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { definitionSchema } from '../definition/schema.ts';
import { generateExtracts } from '../generate/generate-extracts.ts';
import { runRecon } from '../run/run-recon.ts';
import { readSyncStatus } from '../sync/status.ts';
import { openDevice, type Device } from '../sync/testing/devices.ts';
import { grantServerRoles, startTestPg, type TestPg } from '../sync/testing/pg-server.ts';
import { verifyTrail } from '../workflow/chain-state.ts';
import { ALICE, BOB, seedUsers, tempDir } from '../workflow/testing/fixtures.ts';
import { approveRuleProposal, listRuleProposals, proposeReasonRule, proposeRuleRetirement, reasonRulesInForce } from './governance.ts';
import { readRun } from './testing/rule-runs.ts';

let server: TestPg;
let tmp: ReturnType<typeof tempDir>;
let north: Device;
let south: Device;

beforeAll(async () => {
  tmp = tempDir('recon-sync-rules-');
  server = await startTestPg();
  await grantServerRoles(server, { ada: ['admin'], alice: ['analyst'], bob: ['approver'], carol: ['analyst', 'approver'] });
  north = openDevice(tmp.dir, 'north', server, { login: 'alice' });
  south = openDevice(tmp.dir, 'south', server, { login: 'bob' });
  seedUsers(north.store);
  seedUsers(south.store);
}, 180_000);

afterAll(async () => {
  await north?.close();
  await south?.close();
  await server?.destroy();
  tmp?.cleanup();
});

const DEFINITION = 'Trades vs custodian (generated)';
const RULE = { name: 'Notional is timing', reason: 'TIMING_DIFF', definition: DEFINITION, order: 1, conditions: { field: 'Notional', diffType: 'MISMATCH' } };
const inForce = (d: Device) => d.store.read((tx) => reasonRulesInForce(tx, DEFINITION));

describe('reason rules between two workstations', () => {
  it('a rule approved on one workstation applies on the other after its pull', async () => {
    // Each person acts on their own workstation, over their own login (the server checks both: migrations 009, 015).
    const p = proposeReasonRule(north.store, ALICE, { rule: RULE, comment: 'agreed with the desk' });
    await north.sync();
    await south.sync();
    approveRuleProposal(south.store, BOB, p.proposalId, 'ok');
    await south.sync();
    expect(readSyncStatus(south.store)).toMatchObject({ parked: [] });
    expect(inForce(north)).toEqual([]);

    await north.sync();
    const there = inForce(north);
    expect(there).toEqual(inForce(south));
    expect(there).toEqual([expect.objectContaining({ ruleId: p.ruleId, version: 1, reason: 'TIMING_DIFF' })]);
    expect(listRuleProposals(north.store)).toEqual([expect.objectContaining({ proposalId: p.proposalId, maker: 'alice', state: 'APPROVED', verdictBy: 'bob', comment: 'agreed with the desk' })]);
    // Pulled rows are explained by the pulled events; a second pull adds nothing.
    expect(verifyTrail(north.store)).toMatchObject({ ok: true });
    await north.sync();
    expect(north.store.db.prepare('SELECT count(*) AS n FROM reason_rules').get()).toEqual({ n: 1 });

    // The other workstation's next run applies it.
    const dir = await mkdtemp(join(tmpdir(), 'recon-sync-rules-run-'));
    try {
      const gen = await generateExtracts({ rows: 1500, outDir: join(dir, 'data'), seed: 5 });
      const definition = definitionSchema.parse(JSON.parse(await readFile(gen.definitionPath, 'utf8')));
      expect(definition.name).toBe(DEFINITION);
      const s = await runRecon({ aPath: gen.aPath, bPath: gen.bPath, definition, workspace: join(dir, 'ws'), reasonRules: there });
      const rows = await readRun<{ field: string; reason: string; rule_id: string | null }>(s.database, 'SELECT b.field, t.reason, t.rule_id FROM breaks b JOIN attributions t USING (break_id)');
      const notional = rows.filter((r) => r.field === 'Notional');
      expect(notional.length).toBeGreaterThan(0);
      expect(notional.every((r) => r.rule_id === p.ruleId && r.reason === 'TIMING_DIFF')).toBe(true);
      expect(rows.filter((r) => r.field !== 'Notional').every((r) => r.rule_id === null)).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('a retirement proposed on one workstation and approved on the other travels back', async () => {
    const ruleId = inForce(north)[0]!.ruleId;
    const r = proposeRuleRetirement(north.store, ALICE, ruleId, 'the feed is fixed');
    await north.sync();
    await south.sync();
    expect(listRuleProposals(south.store, { pendingOnly: true }).map((x) => x.proposalId)).toEqual([r.proposalId]);
    approveRuleProposal(south.store, BOB, r.proposalId);
    await south.sync();
    await north.sync();
    expect(inForce(south)).toEqual([]);
    expect(inForce(north)).toEqual([]);
    expect(verifyTrail(south.store)).toMatchObject({ ok: true });
    expect(verifyTrail(north.store)).toMatchObject({ ok: true });
  }, 120_000);
});
