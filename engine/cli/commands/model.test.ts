import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { generateExtracts } from '../../generate/generate-extracts.ts';
import { modelCommand } from './model.ts';

const dir = mkdtempSync(join(tmpdir(), 'recon-model-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let out = '';
let err = '';
beforeEach(() => {
  out = '';
  err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
});
afterEach(() => vi.restoreAllMocks());

describe('recon model', () => {
  it('evaluate prints accuracy, per-class figures, the confusion matrix and the auto share', async () => {
    const g = await generateExtracts({ rows: 2_000, outDir: join(dir, 'gen'), seed: 4244, breakRate: 0.05 });
    const args = ['evaluate', '--a', g.aPath, '--b', g.bPath, '--definition', g.definitionPath, '--truth', g.truthPath];
    expect(await modelCommand(args)).toBe(0);
    expect(out).toMatch(/FX table (from the definition|.*fx\.json)/);
    expect(out).toMatch(/accuracy of auto-attributed +\d+\.\d%/);
    expect(out).toMatch(/confusion \(rows: truth, columns: best guess\)/);
    expect(out).toMatch(/SIGN_FLIP +\d+\.\d% +\d+\.\d% +\d+/);

    out = '';
    expect(await modelCommand([...args, '--json', '--threshold', '0.95'])).toBe(0);
    const r = JSON.parse(out) as { all: { threshold: number; autoRate: number; autoAccuracy: number }; unlabelled: number };
    expect(r.all.threshold).toBe(0.95);
    expect(r.unlabelled).toBe(0);
    expect(r.all.autoRate).toBeGreaterThanOrEqual(0.8);
    expect(r.all.autoAccuracy).toBeGreaterThanOrEqual(0.95);
  });

  it('show prints the current model (the shipped baseline in a fresh workspace)', async () => {
    expect(await modelCommand(['show', '--workspace', join(dir, 'empty-ws')])).toBe(0);
    expect(out).toMatch(/^Model baseline-[0-9a-f]{10} \(.*baseline-model\.json\)/);
    expect(out).toMatch(/Stored held-out metrics/);
  });

  it('rejects unknown subcommands, bad thresholds and malformed label files', async () => {
    expect(await modelCommand(['frobnicate'])).toBe(2);
    expect(err).toMatch(/unknown or missing model command "frobnicate"/);
    await expect(modelCommand(['evaluate', '--a', 'a', '--b', 'b', '--definition', 'd', '--truth', 't', '--threshold', '2'])).rejects.toThrow(/--threshold must be between 0 and 1/);
    const labels = join(dir, 'labels.csv');
    writeFileSync(labels, 'run,break_id,reason\nx.duckdb,1,FX_DIFF\n');
    await expect(modelCommand(['train', '--workspace', join(dir, 'ws'), '--labels', labels])).rejects.toMatchObject({ code: 'INPUT_PARSE_ERROR' });
  });
});
