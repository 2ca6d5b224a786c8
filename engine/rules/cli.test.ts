/**
 * `recon rules …` and `recon model compare` on a real run, as scripts use them
 * (exit codes, text and --json), and the rules in force in the run's summary
 * and signed evidence pack.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../cli/main.ts';
import { exportRun } from '../report/export.ts';
import { verifyEvidencePack } from '../report/evidence-verify.ts';
import { openBreakSource } from '../run-file/break-source.ts';
import { decideBulk } from '../workflow/decisions.ts';
import { ADA, ALICE } from '../workflow/testing/fixtures.ts';
import { reasonRulesInForce } from './governance.ts';
import { ruleWorkspace, type RuleWorkspace } from './testing/rule-runs.ts';

let ws: RuleWorkspace;
beforeAll(async () => {
  ws = await ruleWorkspace(2000, 11);
  await ws.run([], 'cli-1');
}, 60_000);
afterAll(async () => ws?.dispose());

/** Runs `recon …` as `user`, capturing stdout and stderr. */
async function recon(user: string, argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const prev = process.env['RECON_USER'];
  process.env['RECON_USER'] = user;
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => ((out += String(c)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => ((err += String(c)), true));
  try {
    return { code: await main([...argv, '--workspace', ws.workspace]), out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
    if (prev === undefined) delete process.env['RECON_USER'];
    else process.env['RECON_USER'] = prev;
  }
}

describe('recon rules', () => {
  let proposalId = '';
  let ruleId = '';

  it('add takes a YAML file and makes a proposal; bad input exits 2 naming the field', async () => {
    const file = join(ws.dir, 'rule.yaml');
    writeFileSync(file, `name: Price is rounding\nreason: ROUNDING_DIFF\norder: 5\nconditions:\n  field: Price\n  delta:\n    absMax: 1\n`);
    const r = await recon('alice', ['rules', 'add', '--file', file, '--comment', 'desk rule', '--json']);
    expect(r.code).toBe(0);
    ({ proposalId, ruleId } = JSON.parse(r.out) as { proposalId: string; ruleId: string });
    expect((await recon('alice', ['rules', 'add', '--name', 'x', '--reason', 'ROUNDING_DIFF', '--delta-min', 'abc'])).err).toMatch(/--delta-min takes a number/);
    const bad = await recon('alice', ['rules', 'add', '--name', 'x', '--reason', 'ROUNDING_DIFF', '--tolerance', '1']);
    expect(bad).toMatchObject({ code: 2, err: expect.stringMatching(/conditions: expected at least one condition/) });
    expect((await recon('alice', ['rules', 'add', '--file', join(ws.dir, 'none.json')])).code).toBe(2);
    expect((await recon('alice', ['rules', 'frobnicate'])).code).toBe(2);
  });

  it('test shows the what-if of the proposal; approve refuses the maker, then an approver makes it v1', async () => {
    const t = await recon('bob', ['rules', 'test', '--proposal', proposalId, '--run', 'cli-1']);
    expect(t.code).toBe(0);
    expect(t.out).toMatch(/^"Price is rounding" → ROUNDING_DIFF: \d+ break\(s\) matched/);
    expect(t.out).toContain('run cli-1:');
    const self = await recon('alice', ['rules', 'approve', '--proposal', proposalId]);
    expect(self).toMatchObject({ code: 2, err: expect.stringMatching(/FORBIDDEN_SELF_APPROVAL/) });
    expect((await recon('bob', ['rules', 'proposals'])).out).toContain(`${proposalId}  PENDING`);
    expect((await recon('bob', ['rules', 'approve', '--proposal', proposalId])).out).toBe(`APPROVED rule proposal ${proposalId} (rule ${ruleId}, now version 1)\n`);
    const list = await recon('bob', ['rules', 'list', '--json']);
    expect(JSON.parse(list.out)).toEqual([expect.objectContaining({ ruleId, version: 1, reason: 'ROUNDING_DIFF', order: 5 })]);
  });

  it('the next run applies it; model compare and the exports list it', async () => {
    const rules = ws.store.read((tx) => reasonRulesInForce(tx, ws.definition.name));
    expect(rules).toHaveLength(1);
    await ws.run(rules, 'cli-2');
    const cmp = await recon('ada', ['model', 'compare', '--run', 'cli-2']);
    expect(cmp.code).toBe(0);
    expect(cmp.out).toMatch(/^Run cli-2: \d+ break\(s\); 1 reason rule\(s\) in force\n\s+5 "Price is rounding" v1 → ROUNDING_DIFF: \d+ break\(s\)/);
    expect(cmp.out).toMatch(/agree \d+ {3}disagree \d+ {3}rule only \d+ {3}model only \(sure\) \d+/);
    const json = JSON.parse((await recon('ada', ['model', 'compare', '--run', 'cli-2', '--json'])).out) as { rulesInForce: { ruleId: string }[] };
    expect(json.rulesInForce.map((r) => r.ruleId)).toEqual([ruleId]);
    expect((await recon('ada', ['model', 'compare'])).code).toBe(2);
    expect((await recon('ada', ['model', 'compare', '--run', 'nope'])).code).toBe(2);

    const summary = await exportRun({ workspace: ws.workspace, runId: 'cli-2', format: 'summary', out: join(ws.dir, 'cli-2-summary.txt'), actor: ADA, store: ws.store });
    expect(readFileSync(summary.path, 'utf8')).toMatch(new RegExp(`Reason rules in force\\n  5 "Price is rounding" \\(${ruleId} v1\\) → ROUNDING_DIFF: \\d+ break\\(s\\); conditions ${rules[0]!.conditionsSha256}`));
    const evidence = await exportRun({ workspace: ws.workspace, runId: 'cli-2', format: 'evidence', out: join(ws.dir, 'cli-2-evidence.json'), actor: ADA, store: ws.store });
    const pack = JSON.parse(readFileSync(evidence.path, 'utf8')) as { reasonRules: { ruleId: string; version: number; conditionsSha256: string }[] };
    expect(pack.reasonRules).toEqual([expect.objectContaining({ ruleId, version: 1, conditionsSha256: rules[0]!.conditionsSha256 })]);
    expect((await verifyEvidencePack(evidence.path)).signatureValid).toBe(true);
    // A run without rules keeps its pack as before: no reasonRules member.
    const before = await exportRun({ workspace: ws.workspace, runId: 'cli-1', format: 'evidence', out: join(ws.dir, 'cli-1-evidence.json'), actor: ADA, store: ws.store });
    expect(JSON.parse(readFileSync(before.path, 'utf8'))).not.toHaveProperty('reasonRules');
  }, 60_000);

  it('retire is a proposal too, and draft prints a rule file from breaks', async () => {
    expect((await recon('alice', ['rules', 'retire', '--rule', ruleId])).code).toBe(2);
    const r = await recon('alice', ['rules', 'retire', '--rule', ruleId, '--comment', 'not needed', '--json']);
    const p = JSON.parse(r.out) as { proposalId: string; kind: string };
    expect(p.kind).toBe('RETIRE');
    expect((await recon('carol', ['rules', 'approve', '--proposal', p.proposalId])).out).toMatch(/^APPROVED rule proposal .* now version 2\)\n$/);
    expect(JSON.parse((await recon('bob', ['rules', 'list', '--json'])).out)).toEqual([]);
    const d = await recon('alice', ['rules', 'draft', '--run', 'cli-1', '--breaks', '1,2', '--reason', 'STATIC_DATA']);
    expect(d.code).toBe(0);
    expect(JSON.parse(d.out)).toMatchObject({ reason: 'STATIC_DATA', definition: ws.definition.name, conditions: expect.any(Object) });
    expect(d.err).toMatch(/run cli-1: \d+ break\(s\)/);
    expect((await recon('alice', ['rules', 'draft', '--run', 'cli-1', '--breaks', 'x', '--reason', 'STATIC_DATA'])).code).toBe(2);

    // From a bulk override, as the desktop drafts one: its breaks and its reason.
    const source = await openBreakSource(join(ws.workspace, 'runs', 'cli-1.duckdb'));
    const { decisionId } = await decideBulk(ws.store, source, ALICE, { runId: 'cli-1', filter: { breakIds: [1, 2] }, kind: 'OVERRIDE', reason: 'STATIC_DATA', comment: 'desk data' }).finally(() =>
      source.close(),
    );
    const fromDecision = await recon('alice', ['rules', 'draft', '--decision', decisionId, '--json']);
    expect(fromDecision.code).toBe(0);
    expect(JSON.parse(fromDecision.out)).toMatchObject({ draft: JSON.parse(d.out) });
    const none = await recon('alice', ['rules', 'draft', '--decision', 'no-such-decision']);
    expect(none).toMatchObject({ code: 2, err: expect.stringMatching(/no decision no-such-decision/) });
    expect((await recon('alice', ['rules', 'draft'])).err).toMatch(/--breaks \(or --decision\)/);
  });

  it('recon audit verify catches a rule row edited behind the trail’s back', async () => {
    expect((await recon('ada', ['audit', 'verify'])).code).toBe(0);
    ws.store.db.exec('DROP TRIGGER reason_rules_append_only');
    ws.store.db.prepare("UPDATE reason_rules SET position = 0 WHERE rule_id = ? AND version = 1").run(ruleId);
    const v = await recon('ada', ['audit', 'verify']);
    expect(v.code).toBe(1);
    expect(v.out).toMatch(/^AUDIT CHAIN BROKEN \[STATE_MISMATCH\]/);
    expect(v.out).toContain(`reason_rules ${ruleId}@1: rule ${ruleId} version 1 reads`);
  });
});
