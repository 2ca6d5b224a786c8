/**
 * Simulated workstations for sync tests: each is a workspace (its own store
 * and device id) with a pool to the test server, directly or through a
 * fault proxy, and helpers to assert on the server's copy.
 */
import { join } from 'node:path';
import type pg from 'pg';
import { openStore } from '../../store/open.ts';
import type { Store } from '../../store/store.ts';
import { createPool, poolConfig, type ConnectionSettings } from '../connection.ts';
import { runCycle, type CycleOptions, type CycleResult } from '../cycle.ts';
import { testDeviceKeyEnv } from './device-key-file.ts';
import type { TestPg } from './pg-server.ts';

/** A simulated workstation. */
export interface Device {
  name: string;
  dir: string;
  store: Store;
  settings: ConnectionSettings;
  password: string;
  pool: pg.Pool;
  /** One full sync cycle through this device's pool. */
  sync(opts?: CycleOptions): Promise<CycleResult>;
  close(): Promise<void>;
}

/** How a device connects: through `port` (e.g. a fault proxy), as `login` (a person's own; default the shared recon_sync). */
export interface DeviceOptions {
  port?: number;
  login?: string;
}

/**
 * Opens a workspace `root/name` connected to the server. The server binds a
 * device to the login of its first push and each person's acts to their own
 * login, so a device where a person acts connects as that person's login.
 */
export function openDevice(root: string, name: string, server: TestPg, opts: DeviceOptions | number = {}): Device {
  const { port, login } = typeof opts === 'number' ? { port: opts, login: undefined } : opts;
  const dir = join(root, name);
  const store = openStore(dir);
  const settings = server.settings(port, login);
  const password = server.info.sync.password;
  // Short timeouts: a test's dropped connection should fail in ms, not minutes.
  const pool = createPool(poolConfig(settings, password, { connectMs: 2000, queryMs: 20_000 }));
  return {
    name,
    dir,
    store,
    settings,
    password,
    pool,
    // Signed with the test process's key file unless the test brings its own key.
    sync: (opts = {}) => runCycle(store, pool, { evidence: false, env: testDeviceKeyEnv(), ...opts }),
    close: async () => {
      await pool.end().catch(() => undefined);
      store.close();
    },
  };
}

/** Server facts a test asserts: events per device, max seq, duplicates (by event id). */
export async function serverCounts(server: TestPg): Promise<{ device_id: string; n: number; max: number; distinct_ids: number }[]> {
  const c = await server.admin();
  try {
    return (
      await c.query<{ device_id: string; n: number; max: number; distinct_ids: number }>(
        'SELECT device_id, count(*)::int AS n, max(seq)::int AS max, count(DISTINCT event_id)::int AS distinct_ids FROM recon.audit_events GROUP BY device_id ORDER BY device_id',
      )
    ).rows;
  } finally {
    await c.end();
  }
}

/** Everything the server holds, as comparable JSON (replay tests compare two of these). */
export async function serverDump(server: TestPg): Promise<string> {
  const c = await server.admin();
  const tables: Record<string, string> = {
    devices: 'device_id',
    chain_heads: 'device_id',
    audit_events: 'device_id, seq',
    event_outcomes: 'device_id, seq',
    runs: 'run_id',
    review_breaks: 'run_id, break_id',
    decisions: 'decision_id',
    decision_breaks: 'decision_id, break_id',
    approvals: 'approval_id',
    break_status: 'run_id, break_id',
  };
  try {
    const out: Record<string, unknown[]> = {};
    for (const [t, order] of Object.entries(tables)) out[t] = (await c.query(`SELECT * FROM recon.${t} ORDER BY ${order}`)).rows;
    out['server_order'] = (await c.query('SELECT last_value FROM recon.server_order')).rows;
    return JSON.stringify(out);
  } finally {
    await c.end();
  }
}
