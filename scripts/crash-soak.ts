/**
 * The long crash soak: 1,000 SIGKILL cycles (default) against one workspace,
 * each followed by the full check (integrity, foreign keys, audit chain, one
 * event per decision, every reported decision present). The test suite runs
 * 200 cycles of the same harness (engine/workflow/crash.test.ts).
 *
 *   npx tsx scripts/crash-soak.ts [--cycles 1000] [--seed N] [--max-delay-ms 120] [--keep]
 *
 * Exit code 0 when every cycle checked clean, 1 otherwise.
 */
import { parseArgs } from 'node:util';
import { prepareWorkspace, runCrashCycles } from '../engine/workflow/testing/crash-harness.ts';
import { tempDir } from '../engine/workflow/testing/fixtures.ts';

const { values } = parseArgs({
  options: {
    cycles: { type: 'string', default: '1000' },
    seed: { type: 'string', default: String(Date.now() % 1_000_000) },
    'max-delay-ms': { type: 'string', default: '120' },
    keep: { type: 'boolean', default: false },
  },
});
const cycles = Number(values.cycles);
const seed = Number(values.seed);
const tmp = tempDir('recon-soak-');
prepareWorkspace(tmp.dir);
process.stdout.write(`crash soak: ${cycles} cycles, seed ${seed}, workspace ${tmp.dir}\n`);

const stats = await runCrashCycles(tmp.dir, cycles, {
  seed,
  maxDelayMs: Number(values['max-delay-ms']),
  onCycle: (i, s) => {
    if ((i + 1) % 50 === 0) process.stdout.write(`  ${i + 1}/${cycles} cycles, ${s.committed} committed writes verified\n`);
  },
});

process.stdout.write(
  `${stats.cycles} cycles in ${(stats.ms / 1000).toFixed(1)} s: ${stats.committed} reported commits all present, ` +
    `${stats.killedBeforeOpen} kills before the store was open\n`,
);
if (stats.problems.length > 0) process.stdout.write(`PROBLEMS (seed ${seed}):\n${stats.problems.map((p) => `  ${p}`).join('\n')}\n`);
if (values.keep) process.stdout.write(`kept ${tmp.dir}\n`);
else tmp.cleanup();
process.exitCode = stats.problems.length === 0 && stats.cycles === cycles ? 0 : 1;
