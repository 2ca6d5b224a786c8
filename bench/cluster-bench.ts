/**
 * `npm run bench:cluster`: the same recon on the local engine and on a
 * two-shard ClickHouse cluster on this machine (scripts/clickhouse), in the same
 * run, alternating, at 1M and 10M rows a side (the generator's pair, `recon
 * generate --seed 42`). Both must find the same breaks. Reports wall time,
 * the ratio cluster/local and the cluster run's own steps (loading each side,
 * the cluster's duplicate search and join with the download of the differing
 * pairs), and writes them to docs/BENCHMARKS.md (section "cluster").
 *
 *   npm run bench:cluster -- [--rows 1000000,10000000] [--runs 3] [--shards 2] [--cluster-normalize] [--no-docs]
 *
 * `--cluster-normalize` runs the cluster side with the nodes normalizing the raw
 * text (`recon run --cluster-normalize`) and adds their normalization step.
 *
 * One machine of 2 cores holds the workstation and every shard, so this
 * measures the cost of the path (shipping rows, the join on ClickHouse), not
 * what more machines would add: docs/SCALE.md reads the figures.
 */
import { rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startTestCluster } from '../engine/clickhouse/testing/clickhouse-cluster.ts';
import { ensureGenerated, measure, median, mb, ROOT, sec, writeDocsSection, type Measured } from './measure.ts';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000,10000000' },
    runs: { type: 'string', default: '3' },
    shards: { type: 'string', default: '2' },
    'data-dir': { type: 'string', default: join(ROOT, 'bench-data') },
    'no-docs': { type: 'boolean', default: false },
    'cluster-normalize': { type: 'boolean', default: false },
  },
});

interface Summary {
  breaks: { total: number; byType: Record<string, number> };
  timings: Record<string, number>;
}

async function main(): Promise<void> {
  const rowCounts = values.rows.split(',').map(Number);
  const runs = Number(values.runs);
  const cluster = await startTestCluster(Number(values.shards));
  const urls = cluster.info.urls.map((u, i) => (i === 0 ? u.replace('http://', `http://${cluster.info.user}@`) : u)).join(',');
  const lines: string[] = [];
  try {
    for (const rows of rowCounts) {
      const dataDir = resolve(values['data-dir'], `rows-${rows}`);
      const gen = await ensureGenerated(rows, dataDir);
      const workspace = join(dataDir, 'workspace-cluster-bench');
      const base = [join(ROOT, 'bin/recon.mjs'), 'run', '--a', gen.a, '--b', gen.b, '--definition', gen.definition, '--workspace', workspace, '--json', '--quiet', '--previous', 'none'];
      const local: Measured[] = [];
      const onCluster: Measured[] = [];
      const steps: Record<string, number[]> = {};
      const load = loadavg()[0]!;
      let breaks = 0;
      for (let i = 0; i < runs; i++) {
        await measure([join(ROOT, 'bin/recon.mjs'), '--version'], dataDir); // builds the CLI bundle, not timed
        rmSync(workspace, { recursive: true, force: true });
        const l = await measure(base, dataDir);
        rmSync(workspace, { recursive: true, force: true });
        const mode = values['cluster-normalize'] ? ['--cluster-normalize'] : [];
        const c = await measure([...base, '--engine', 'clickhouse', '--cluster', urls, ...mode], dataDir, { RECON_CLUSTER_PASSWORD: cluster.info.password });
        const ls = JSON.parse(l.stdout) as Summary;
        const cs = JSON.parse(c.stdout) as Summary;
        // The same recon: the same breaks, type by type.
        if (JSON.stringify(ls.breaks) !== JSON.stringify(cs.breaks)) throw new Error(`${rows} rows: the engines disagree: ${JSON.stringify(ls.breaks.byType)} vs ${JSON.stringify(cs.breaks.byType)}`);
        breaks = ls.breaks.total;
        local.push(l);
        onCluster.push(c);
        (steps['local diff'] ??= []).push(ls.timings['diff'] ?? 0);
        for (const k of ['diff', 'clusterLoadA', 'clusterLoadB', 'clusterNormalizeA', 'clusterNormalizeB', 'clusterDiff']) (steps[`cluster ${k}`] ??= []).push(cs.timings[k] ?? 0);
        process.stderr.write(`${rows} rows, run ${i + 1}/${runs}: local ${sec(l.ms)}, cluster ${sec(c.ms)} (${(c.ms / l.ms).toFixed(2)}×)\n`);
      }
      rmSync(workspace, { recursive: true, force: true });
      const lm = median(local.map((m) => m.ms));
      const cm = median(onCluster.map((m) => m.ms));
      lines.push(
        `| ${rows.toLocaleString('en-US')} | ${runs} | ${load.toFixed(1)} | ${sec(lm)} | ${sec(cm)} | ${(cm / lm).toFixed(2)}× | ${sec(median(steps['local diff']!))} | ${sec(median(steps['cluster diff']!))} (load A ${sec(median(steps['cluster clusterLoadA']!))}, load B ${sec(median(steps['cluster clusterLoadB']!))}${values['cluster-normalize'] ? `, normalize A ${sec(median(steps['cluster clusterNormalizeA']!))}, normalize B ${sec(median(steps['cluster clusterNormalizeB']!))}` : ''}, duplicates + join + download ${sec(median(steps['cluster clusterDiff']!))}) | ${mb(median(local.map((m) => m.rss)))} / ${mb(median(onCluster.map((m) => m.rss)))} | ${breaks.toLocaleString('en-US')} |`,
      );
    }
  } finally {
    await cluster.destroy();
  }
  const body = [
    `### Local engine against a ${values.shards}-shard ClickHouse cluster (\`npm run bench:cluster${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}\`, ${new Date().toISOString().slice(0, 10)})`,
    '',
    'Both `recon run` on the generated pair, alternating, medians; the cluster is ClickHouse 18.16 on the same 2-core machine as the workstation (the shards share its cores). Both found the same breaks.',
    '',
    '| rows a side | runs | load | local | cluster | cluster/local | local diff | cluster diff step | peak RSS local / cluster (workstation) | breaks |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...lines,
  ];
  process.stdout.write(`${body.join('\n')}\n`);
  // The docs' table is the default path's; a --cluster-normalize run is printed only.
  if (!values['no-docs'] && !values['cluster-normalize']) writeDocsSection('cluster', body);
}

await main();
