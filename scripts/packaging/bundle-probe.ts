/**
 * Test-only entry, bundled beside the main process by
 * `electron-vite build --mode bundle-probe` (never in a release build). It
 * drives the bundled engine the way the Electron host does, under plain Node,
 * since the Electron binary cannot run on CI machines: open the workspace
 * store (migrations from out/main/migrations), run a recon on the bundled
 * engine worker (out/main/engine-worker.js) with the shipped baseline model (out/main/baseline-model.json),
 * and read the About facts.
 *
 * Usage: node out/main/bundle-probe.js <empty work dir>; prints one JSON line.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BASELINE_MODEL_PATH, loadCurrentModel } from '../../engine/attribution/model-store.ts';
import { versionInfo } from '../../engine/host/version.ts';
import { definitionSchema } from '../../engine/definition/schema.ts';
import { startRegisteredRun } from '../../engine/host/registered-run.ts';
import { DEFAULT_MIGRATIONS_DIR, loadMigrations } from '../../engine/store/migrate.ts';
import { openStore } from '../../engine/store/open.ts';
import { sql } from '../../engine/store/sql.ts';

/** What the packaging test checks. */
export interface ProbeResult {
  migrationsDir: string;
  migrations: number;
  modelPath: string;
  modelVersion: string;
  run: { status: string; a: number; b: number; breaks: number; modelVersion: string };
  registry: Array<{ run_id: string; status: string }>;
  about: Awaited<ReturnType<typeof versionInfo>>;
}

async function probe(dir: string): Promise<ProbeResult> {
  const aPath = join(dir, 'a.csv');
  const bPath = join(dir, 'b.csv');
  writeFileSync(aPath, 'id,amt,ccy\n1,10.00,EUR\n2,20.00,EUR\n3,30.00,USD\n');
  writeFileSync(bPath, 'id,amt,ccy\n1,10.00,EUR\n2,20.50,EUR\n4,40.00,USD\n');
  const definition = definitionSchema.parse({
    name: 'bundle-probe',
    key: ['id'],
    fields: [{ name: 'id' }, { name: 'amt', type: 'decimal', scale: 2 }, { name: 'ccy' }],
  });
  const workspace = join(dir, 'ws');
  const store = openStore(workspace);
  try {
    const handle = startRegisteredRun(store, { userId: 'probe', displayName: 'Bundle probe' }, { aPath, bPath, definition, workspace });
    const summary = await handle.result;
    const model = await loadCurrentModel(workspace);
    return {
      migrationsDir: DEFAULT_MIGRATIONS_DIR,
      migrations: loadMigrations().length,
      modelPath: BASELINE_MODEL_PATH,
      modelVersion: model.model.version,
      run: {
        status: summary.status,
        a: summary.counts.a,
        b: summary.counts.b,
        breaks: summary.breaks.total,
        modelVersion: summary.attribution.modelVersion,
      },
      registry: store.read((tx) => tx.all<{ run_id: string; status: string }>(sql`SELECT run_id, status FROM runs`)),
      about: await versionInfo({ version: '0.0.0-probe', commit: 'probe', workspace }),
    };
  } finally {
    store.close();
  }
}

const dir = process.argv[2];
if (!dir) throw new Error('usage: node bundle-probe.js <empty work dir>');
process.stdout.write(`${JSON.stringify(await probe(dir))}\n`);
