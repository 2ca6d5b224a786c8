import { ReconError } from '../errors/recon-error.ts';
import type { Keychain } from '../sync/credentials.ts';
import type { ClickHouseNode } from './client.ts';

/**
 * Where `recon run --engine clickhouse` runs: the HTTP URL of one node per shard
 * (`--cluster http://user@host1:8123,http://host2:8123`: the tables are created on
 * each, since ClickHouse's ON CLUSTER needs ZooKeeper), the name the nodes give the
 * cluster in `<remote_servers>` and the login. It crosses to the run worker as
 * data; the password never does: the worker reads it from $RECON_CLUSTER_PASSWORD
 * or the OS keychain (under the account `keychainAccountOfCluster`).
 */
export interface ClusterTarget {
  kind: 'clickhouse';
  nodes: string[];
  user: string;
  clusterName: string;
  database: string;
  /**
   * `--cluster-normalize`: the nodes normalize the raw text themselves (normalize-on-cluster.ts),
   * checked against the local staging. Without it the workstation ships its staged, typed values.
   */
  normalizeOnCluster?: boolean;
}

export const CLUSTER_PASSWORD_ENV = 'RECON_CLUSTER_PASSWORD';

/** `--cluster URL[,URL…]` and `--cluster-name`: a target, or INVALID_ARGUMENT saying what is wrong. */
export function parseClusterTarget(spec: string, clusterName = 'recon', database = 'default'): ClusterTarget {
  const urls = spec.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (urls.length === 0) throw new ReconError('INVALID_ARGUMENT', '--cluster: expected the HTTP URL of each shard, e.g. http://recon@ch1:8123,http://ch2:8123');
  let user: string | undefined;
  const nodes = urls.map((u) => {
    let url: URL;
    try {
      url = new URL(u);
    } catch {
      throw new ReconError('INVALID_ARGUMENT', `--cluster: "${u}" is not a URL (expected http://[user@]host:port)`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ReconError('INVALID_ARGUMENT', `--cluster: ${u}: only http:// and https:// (ClickHouse's HTTP interface)`);
    // A password on the command line ends up in shell history and process lists.
    if (url.password) throw new ReconError('INVALID_ARGUMENT', `--cluster: put no password in the URL; store it with \`recon cluster set-password\` or set $${CLUSTER_PASSWORD_ENV}`);
    if (url.username) user ??= decodeURIComponent(url.username);
    return `${url.protocol}//${url.host}`;
  });
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(clusterName)) throw new ReconError('INVALID_ARGUMENT', `--cluster-name: "${clusterName}" is not a plain name`);
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(database)) throw new ReconError('INVALID_ARGUMENT', `--cluster-database: "${database}" is not a plain name`);
  return { kind: 'clickhouse', nodes, user: user ?? 'default', clusterName, database };
}

/** The keychain account of a cluster login: its user and first node, apart from team sync's and sources' accounts. */
export function keychainAccountOfCluster(target: Pick<ClusterTarget, 'user' | 'nodes'>): string {
  return `cluster:${target.user}@${target.nodes[0]}`;
}

/** The nodes with the login's password: $RECON_CLUSTER_PASSWORD, else the keychain, else none (the server says if one is needed). */
export function clusterNodes(target: ClusterTarget, env: NodeJS.ProcessEnv, keychain: Keychain | undefined): ClickHouseNode[] {
  let password = env[CLUSTER_PASSWORD_ENV] || undefined;
  if (password === undefined && keychain) {
    try {
      password = keychain.get(keychainAccountOfCluster(target)) ?? undefined;
    } catch {
      // No keychain here: a cluster that needs a password refuses the login, and the error says where to put one.
    }
  }
  return target.nodes.map((url) => ({ url, user: target.user, password }));
}
