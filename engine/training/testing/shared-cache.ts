import { join } from 'node:path';
import { packageRoot } from '../../package-root.ts';

/**
 * Where tests and benchmarks keep the baseline data (baseline-cache.ts)
 * between runs: `node_modules/.cache/recon-training`, beside the CLI bundle's
 * cache. The first test run on a checkout builds it (~30 s on 2 cores); its
 * name carries the baseline's key, so a new baseline or feature set never
 * reads an old file.
 */
export function sharedTrainingCacheDir(): string {
  return join(packageRoot(), 'node_modules', '.cache', 'recon-training');
}
