import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
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

  it('evaluate without an FX table proposes rates quoted in --fx-quote, and says when B cannot be in the assumed currency', async () => {
    const g = await generateExtracts({ rows: 4_000, outDir: join(dir, 'gen-nofx'), seed: 4245, breakRate: 0.08 });
    // No FX table anywhere: not beside truth.csv, not in the definition.
    rmSync(join(dirname(g.truthPath), 'fx.json'), { force: true });
    const def = JSON.parse(readFileSync(g.definitionPath, 'utf8')) as { attribution?: { fxRates?: unknown } };
    delete def.attribution?.fxRates;
    const defPath = join(dir, 'gen-nofx', 'no-fx.json');
    writeFileSync(defPath, JSON.stringify(def));
    const args = ['evaluate', '--a', g.aPath, '--b', g.bPath, '--definition', defPath, '--truth', g.truthPath];

    expect(await modelCommand(args)).toBe(0);
    expect(out).toContain('no FX table');
    expect(out).toContain('FX rates inferred from the breaks');
    // The generator's B converts USD amounts to EUR: the USD group has a rate of its own, so USD cannot be B's currency.
    expect(out).toMatch(/Notional: B\/A = 0\.92\d* on \d+ USD breaks \(grouped by Currency\)/);
    expect(out).toMatch(/Note: USD breaks of Notional show B\/A = 0\.92\d*, so B does not seem to report in USD; name B's currency with --fx-quote/);
    expect(out).not.toContain('Proposed attribution.fxRates');

    out = '';
    expect(await modelCommand([...args, '--fx-quote', 'eur', '--json'])).toBe(0);
    const r = JSON.parse(out) as { fxRatesProposal: { quote: string; rates: Record<string, string> } };
    expect(r.fxRatesProposal.quote).toBe('EUR');
    // 1 USD = 0.92… EUR, as the definition's attribution.fxRates writes it.
    expect(r.fxRatesProposal.rates).toEqual({ USDEUR: expect.stringMatching(/^0\.92\d*$/) });

    await expect(modelCommand([...args, '--fx-quote', 'EURO'])).rejects.toThrow(/--fx-quote "EURO": expected a three-letter currency code/);
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
