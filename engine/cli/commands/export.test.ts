import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { definitionSchema } from '../../definition/schema.ts';
import { isInputError, ReconError } from '../../errors/recon-error.ts';
import { generatedRun, type FixtureRun } from '../../report/testing/fixture.ts';
import { definitionCommand } from './definition.ts';
import { evidenceCommand } from './evidence.ts';
import { exportCommand } from './export.ts';

/**
 * The export, evidence and definition-infer commands as main.ts calls them:
 * exit codes, what they print, and input errors thrown as ReconErrors that
 * main turns into exit code 2.
 */

let run: FixtureRun;
let dir: string;
let stdout: string;
let stderr: string;

beforeAll(async () => {
  run = await generatedRun(500, 31);
  dir = mkdtempSync(join(tmpdir(), 'recon-cli-export-'));
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
  process.env['RECON_USER'] = 'alice';
});
afterAll(() => {
  vi.restoreAllMocks();
  run.store.close();
});

const call = async (fn: (argv: string[]) => Promise<number>, ...argv: string[]): Promise<number> => {
  stdout = '';
  stderr = '';
  return fn(argv);
};
const inputError = async (p: Promise<unknown>, code: string): Promise<void> => {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ReconError);
  expect((err as ReconError).code).toBe(code);
  expect(isInputError((err as ReconError).code)).toBe(true);
};

describe('recon export', () => {
  it('writes a report and says where', async () => {
    const out = join(dir, 'b.csv');
    expect(await call(exportCommand, run.runId, '--format', 'csv', '--out', out, '--workspace', run.workspace)).toBe(0);
    expect(stdout).toMatch(new RegExp(`^wrote csv of run ${run.runId} to .*b\\.csv \\(\\d+ breaks`));
    expect(existsSync(out)).toBe(true);
    expect(await call(exportCommand, run.runId, '--format', 'summary', '--out', join(dir, 's.json'), '--workspace', run.workspace, '--json')).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ format: 'summary', runId: run.runId, audited: true });
  });

  it('exits 2 (input errors) for a missing run, a bad format or missing arguments', async () => {
    await inputError(call(exportCommand, 'no-such-run', '--format', 'csv', '--out', join(dir, 'x.csv'), '--workspace', run.workspace), 'RUN_NOT_FOUND');
    await inputError(call(exportCommand, run.runId, '--format', 'pdf', '--out', join(dir, 'x.pdf'), '--workspace', run.workspace), 'INVALID_ARGUMENT');
    await inputError(call(exportCommand, run.runId, '--format', 'csv', '--out', join(dir, 'x.csv'), '--delimiter', '""', '--workspace', run.workspace), 'INVALID_ARGUMENT');
    expect(await call(exportCommand, run.runId, '--out', join(dir, 'x.csv'))).toBe(2);
    expect(stderr).toMatch(/missing --format/);
    expect(existsSync(join(dir, 'x.csv'))).toBe(false);
  });
});

describe('recon evidence', () => {
  it('verifies a pack (exit 0), reports a changed one (exit 1) and refuses junk (exit 2)', async () => {
    const pack = join(dir, 'pack.json');
    expect(await call(exportCommand, run.runId, '--format', 'evidence', '--out', pack, '--workspace', run.workspace)).toBe(0);
    // The key inside the pack alone proves nothing: signature valid, signer unknown, exit 1.
    expect(await call(evidenceCommand, 'verify', pack, '--a', run.aPath, '--b', run.bPath)).toBe(1);
    expect(stdout).toMatch(/^NOT VERIFIED[\s\S]*signature: valid[\s\S]*signer: UNKNOWN \(no trusted key given\)/);
    expect(await call(evidenceCommand, 'verify', pack, '--a', run.aPath, '--b', run.bPath, '--workspace', run.workspace)).toBe(0);
    expect(stdout).toMatch(/^VERIFIED/);
    expect(stdout).toMatch(/signer: .*evidence-ed25519\.pub/);
    expect(stdout).toMatch(/source A: matches/);
    const changed = join(dir, 'changed.json');
    writeFileSync(changed, readFileSync(pack, 'utf8').replace(`"runId": "${run.runId}"`, '"runId": "other"'));
    expect(await call(evidenceCommand, 'verify', changed)).toBe(1);
    expect(stdout).toMatch(/NOT VERIFIED[\s\S]*signature: INVALID/);
    const junk = join(dir, 'junk.json');
    writeFileSync(junk, 'not json');
    await inputError(call(evidenceCommand, 'verify', junk), 'INPUT_PARSE_ERROR');
    expect(await call(evidenceCommand, 'verify')).toBe(2);
  });

  it('prints the workspace key to publish', async () => {
    expect(await call(evidenceCommand, 'key', '--workspace', run.workspace)).toBe(0);
    expect(stdout).toMatch(/BEGIN PUBLIC KEY[\s\S]*sha256 fingerprint [0-9a-f]{64}/);
  });
});

describe('recon definition infer', () => {
  it('writes a valid definition and prints the report', async () => {
    const out = join(dir, 'inferred.json');
    expect(await call(definitionCommand, 'infer', '--a', run.aPath, '--b', run.bPath, '--out', out)).toBe(0);
    expect(stdout).toMatch(/Key: TradeID ↔ trade_ref/);
    expect(definitionSchema.safeParse(JSON.parse(readFileSync(out, 'utf8'))).success).toBe(true);
    expect(await call(definitionCommand, 'infer', '--a', run.aPath, '--b', run.bPath, '--json', '--sample-rows', '300', '--seed', '7')).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ definition: { key: ['TradeID'] }, report: { sample: { rows: 300, seed: 7 } } });
    await inputError(call(definitionCommand, 'infer', '--a', join(dir, 'none.csv'), '--b', run.bPath), 'INPUT_NOT_FOUND');
    await inputError(call(definitionCommand, 'infer', '--a', run.aPath, '--b', run.bPath, '--sample-rows', '0'), 'INVALID_ARGUMENT');
    expect(await call(definitionCommand, 'infer', '--a', run.aPath)).toBe(2);
  });
});
