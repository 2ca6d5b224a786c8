/**
 * A throwaway ClickHouse cluster for tests and benchmarks, through the repo's
 * scripts (scripts/clickhouse): two shards (or RECON_CH_SHARDS), each a
 * clickhouse-server process as the current user on free loopback ports, with a
 * shared <remote_servers> cluster `recon` and a password login `recon`.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseClusterTarget, type ClusterTarget } from '../cluster-target.ts';

const run = promisify(execFile);
const SCRIPTS = fileURLToPath(new URL('../../../scripts/clickhouse/', import.meta.url));

/** What start-test-cluster.sh prints. */
export interface TestClusterInfo {
  cluster: string;
  urls: string[];
  dir: string;
  pids: number[];
  user: string;
  password: string;
}

export interface TestCluster {
  info: TestClusterInfo;
  /** The target `recon run --engine clickhouse --cluster …` would name (the password goes in $RECON_CLUSTER_PASSWORD). */
  target: ClusterTarget;
  /** Stops every node and deletes the data. */
  destroy(): Promise<void>;
}

/**
 * Whether the ClickHouse tests can run here. On CI (CI=true) they always run, so a
 * machine without ClickHouse fails them (scripts/setup-system.sh installs it); on a
 * developer's machine without it they are skipped, and say why.
 */
export function clickhouseAvailable(): boolean {
  if (process.env['CI'] === 'true') return true;
  if (existsSync('/usr/sbin/clickhouse-server') || existsSync('/usr/bin/clickhouse-server')) return true;
  try {
    execFileSync('sh', ['-c', 'command -v clickhouse-server'], { stdio: 'ignore' });
    return true;
  } catch {
    process.stderr.write('ClickHouse tests skipped: clickhouse-server is not installed (scripts/setup-system.sh installs it; on CI they run)\n');
    return false;
  }
}

export async function startTestCluster(shards = 2): Promise<TestCluster> {
  const { stdout } = await run('bash', [`${SCRIPTS}start-test-cluster.sh`], { maxBuffer: 1 << 20, env: { ...process.env, RECON_CH_SHARDS: String(shards) } });
  const info = JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as TestClusterInfo;
  const withUser = info.urls.map((u, i) => (i === 0 ? u.replace('http://', `http://${info.user}@`) : u)).join(',');
  return {
    info,
    target: parseClusterTarget(withUser, info.cluster),
    destroy: async () => {
      await run('bash', [`${SCRIPTS}stop-test-cluster.sh`, info.dir]);
    },
  };
}
