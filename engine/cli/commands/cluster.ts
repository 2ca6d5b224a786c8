import { parseArgs } from 'node:util';
import { ReconError } from '../../errors/recon-error.ts';
import { CLUSTER_PASSWORD_ENV, keychainAccountOfCluster, parseClusterTarget } from '../../clickhouse/cluster-target.ts';

export const CLUSTER_USAGE = `recon cluster set-password|forget-password|test URL[,URL...] [--cluster-name NAME]   the ClickHouse login of \`recon run --engine clickhouse\`

  recon cluster set-password http://USER@HOST:8123   stores the login's password in the OS keychain (prompted, or the first line of stdin)
  recon cluster forget-password http://USER@HOST:8123
  recon cluster test URL[,URL...]                     connects to every node and checks the cluster's shards (default name "recon")

The password is looked up by the user and the first node's address; $${CLUSTER_PASSWORD_ENV} overrides it
for scripted runs. It is never written to the workspace. See docs/SCALE.md.`;

/** `recon cluster`: the keychain entry of a cluster login, and a connection test. */
export async function clusterCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, options: { 'cluster-name': { type: 'string' } }, allowPositionals: true, strict: true });
  const [action, spec] = positionals;
  if (!action || !spec) {
    process.stderr.write(`${CLUSTER_USAGE}\n`);
    return 2;
  }
  const target = parseClusterTarget(spec, values['cluster-name']);
  const { osKeychain } = await import('../../sync/credentials.ts');
  switch (action) {
    case 'set-password': {
      const { readPassword } = await import('../../sync/read-password.ts');
      const password = await readPassword(`password of ${target.user} on ${target.nodes[0]}: `);
      if (!password) throw new ReconError('INVALID_ARGUMENT', 'an empty password was given; nothing stored');
      osKeychain().set(keychainAccountOfCluster(target), password);
      process.stdout.write(`password of ${target.user} on ${target.nodes[0]} stored in the OS keychain\n`);
      return 0;
    }
    case 'forget-password': {
      const removed = osKeychain().delete(keychainAccountOfCluster(target));
      process.stdout.write(removed ? `password of ${target.user} on ${target.nodes[0]} removed from the OS keychain\n` : 'no password was stored\n');
      return 0;
    }
    case 'test': {
      const { testCluster } = await import('../../clickhouse/run-on-cluster.ts');
      const r = await testCluster(target);
      process.stdout.write(`cluster "${target.clusterName}" OK: ${r.shards} shard(s), ClickHouse ${r.version}\n`);
      return 0;
    }
    default:
      throw new ReconError('INVALID_ARGUMENT', `unknown action "${action}"\n\n${CLUSTER_USAGE}`);
  }
}
