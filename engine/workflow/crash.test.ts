import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkStore, prepareWorkspace, runCrashCycles } from './testing/crash-harness.ts';
import { tempDir } from './testing/fixtures.ts';

// scripts/crash-soak.ts runs the same harness for 1,000 cycles.
const CYCLES = Number(process.env['CRASH_CYCLES'] ?? 200);

let tmp: ReturnType<typeof tempDir>;
beforeAll(() => {
  tmp = tempDir('recon-crash-');
  prepareWorkspace(tmp.dir);
});
afterAll(() => tmp.cleanup());

describe('crash safety', () => {
  it(`survives ${CYCLES} SIGKILLs at random moments without losing a reported decision`, async () => {
    const stats = await runCrashCycles(tmp.dir, CYCLES, { seed: 4242 });
    expect(stats.problems).toEqual([]);
    expect(stats.cycles).toBe(CYCLES);
    // The writers did real work between kills (not just start-up). How much depends on
    // the machine's load (over 3 a cycle when idle, under 1 on 2 busy cores), so the
    // floor only proves that commits happened throughout.
    expect(stats.committed).toBeGreaterThan(CYCLES / 10);
    expect(checkStore(tmp.dir, { decisions: [], approvals: [] })).toEqual([]);
  }, 300_000);
});
