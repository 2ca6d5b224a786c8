/**
 * What break memory costs (part of `npm run bench`): day 2 of a generated
 * daily series (`recon generate --days 2`), run linked to day 1's run
 * (`--previous <day 1>`) and as the first run of a series (`--previous none`),
 * alternating, in the same workspace and session. The linked run does
 * everything the other does plus reading day 1's breaks from its file,
 * labelling every break, listing the resolved ones and keeping carried reasons.
 */
import { existsSync, rmSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { generateSeries } from '../engine/generate/series.ts';
import { mb, measure, median, ROOT, sec, writeDocsSection } from './measure.ts';

interface RunJson {
  runId: string;
  breaks: { total: number };
  lifecycle: { new: number; carried: number; changed: number; resolved: number };
  timings: Record<string, number>;
}

export async function benchSeries(opts: { rows: number; runs: number; dataDir: string; docs: boolean }): Promise<void> {
  const dir = join(opts.dataDir, `series-${opts.rows}`);
  if (!existsSync(join(dir, 'series.json'))) {
    process.stderr.write(`generating a 2-day series of ${opts.rows.toLocaleString('en-US')} trades into ${dir}\n`);
    await generateSeries({ rows: opts.rows, days: 2, outDir: dir, seed: 42 });
  }
  const workspace = join(dir, 'workspace');
  rmSync(workspace, { recursive: true, force: true });
  const day = (n: number): string[] => {
    const d = join(dir, `day-0${n}`);
    return ['run', '--a', join(d, 'a.csv'), '--b', join(d, 'b.csv'), '--definition', join(d, 'definition.json'), '--workspace', workspace, '--json', '--quiet'];
  };
  const recon = (args: string[]): Promise<{ ms: number; rss: number; cpuMs: number; run: RunJson }> =>
    measure([join(ROOT, 'bin/recon.mjs'), ...args], dir).then((m) => ({ ...m, run: JSON.parse(m.stdout) as RunJson }));
  const first = await recon([...day(1), '--as-of', '2024-07-01']);
  const load = loadavg()[0]!;
  const alone: Awaited<ReturnType<typeof recon>>[] = [];
  const linked: Awaited<ReturnType<typeof recon>>[] = [];
  for (let i = 0; i < opts.runs; i++) {
    alone.push(await recon([...day(2), '--as-of', '2024-07-02', '--previous', 'none']));
    linked.push(await recon([...day(2), '--as-of', '2024-07-02', '--previous', first.run.runId]));
    process.stderr.write(`series run ${i + 1}/${opts.runs}: alone ${sec(alone.at(-1)!.ms)}, linked ${sec(linked.at(-1)!.ms)}\n`);
  }
  rmSync(workspace, { recursive: true, force: true });
  const aloneMs = median(alone.map((r) => r.ms));
  const linkedMs = median(linked.map((r) => r.ms));
  const memoryMs = median(linked.map((r) => r.run.timings['memory'] ?? 0));
  const aloneMemoryMs = median(alone.map((r) => r.run.timings['memory'] ?? 0));
  const ratio = Math.round((linkedMs / aloneMs) * 100) / 100;
  const l = linked.at(-1)!.run;
  process.stderr.write(`series: linked ${sec(linkedMs)} / alone ${sec(aloneMs)} = ${ratio}×; memory stage ${memoryMs} ms\n`);
  if (!opts.docs) return;
  const date = new Date().toISOString().slice(0, 10);
  writeDocsSection(`series-${opts.rows}`, [
    `### Break memory: ${opts.rows.toLocaleString('en-US')} trades, day 2 of a daily series`,
    '',
    `Day 2 of \`recon generate --rows ${opts.rows} --days 2 --seed 42\` (${l.breaks.total.toLocaleString('en-US')} breaks; linked to day 1: ${l.lifecycle.new.toLocaleString('en-US')} new, ${l.lifecycle.carried.toLocaleString('en-US')} carried, ${l.lifecycle.changed.toLocaleString('en-US')} changed, ${l.lifecycle.resolved.toLocaleString('en-US')} resolved), ` +
      `run as a series' first run (\`--previous none\`) and linked to day 1's run (\`--previous <run>\`), alternating, ${opts.runs} of each; medians. ` +
      `Measured on ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, load ${load.toFixed(1)}, ${date}.`,
    '',
    '| run | `recon run` | `memory` stage | peak RSS |',
    '|---|---|---|---|',
    `| first of its series | ${sec(aloneMs)} | ${aloneMemoryMs} ms | ${mb(Math.max(...alone.map((r) => r.rss)))} |`,
    `| linked to day 1 | ${sec(linkedMs)} | ${memoryMs} ms | ${mb(Math.max(...linked.map((r) => r.rss)))} |`,
    '',
    `**Linking adds ${Math.round((ratio - 1) * 1000) / 10}% (${ratio}×)** to the whole run; the target is at most 10%. Command: \`npm run bench\` (this section runs after the dialect mix; \`--no-series\` skips it).`,
  ]);
}
