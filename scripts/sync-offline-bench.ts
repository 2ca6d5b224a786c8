/**
 * Offline catch-up benchmark (issue 6): N audit events (default 100,000) are
 * queued while the team server is down, the sync engine is started and
 * stopped several times meanwhile (the app restarting), then the server comes
 * back and the time until every event is acknowledged is measured. After it:
 * count = max(seq), no duplicates, and the server chain verifies.
 *
 * Reference, same run: the same payloads inserted in the same batches into a
 * plain table without the chain and projection triggers (the network and
 * insert cost alone). Reported as a ratio, with the median of --runs runs.
 *
 * Events are signed (server migration 010): the catch-up includes signing
 * each event on the client and verifying it in the server's trigger. What
 * that costs is measured apart in the same run: the client's Ed25519 signing
 * time per event, and the plain-insert reference again with the server's
 * ed25519_verify applied to every row.
 *
 *   npm run bench:sync [-- --events 100000 --batch 1000 --restarts 3 --runs 1 --no-docs]
 *
 * The result goes to docs/BENCHMARKS.md (section "sync-offline") unless --no-docs.
 */
import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { writeDocsSection } from '../bench/measure.ts';
import { sql } from '../engine/store/sql.ts';
import { withClient } from '../engine/sync/connection.ts';
import { deviceSigner } from '../engine/sync/device-key.ts';
import { signEvent } from '../engine/store/event-signature.ts';
import { testDeviceKeyEnv } from '../engine/sync/testing/device-key-file.ts';
import { SyncLoop } from '../engine/sync/sync-loop.ts';
import { verifyRemoteChains } from '../engine/sync/remote-verify.ts';
import { readSyncStatus } from '../engine/sync/status.ts';
import { openDevice, serverCounts } from '../engine/sync/testing/devices.ts';
import { queueEvents } from '../engine/sync/testing/events.ts';
import { startTestPg, type TestPg } from '../engine/sync/testing/pg-server.ts';
import { tempDir } from '../engine/workflow/testing/fixtures.ts';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '100000' },
    batch: { type: 'string', default: '1000' },
    restarts: { type: 'string', default: '3' },
    runs: { type: 'string', default: '1' },
    'no-docs': { type: 'boolean', default: false },
  },
});
const N = Number(values.events);
const BATCH = Number(values.batch);
const RESTARTS = Number(values.restarts);
const RUNS = Number(values.runs);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

interface RunResult {
  syncMs: number;
  rawMs: number;
  queueMs: number;
  /** Client: Ed25519 signing, per event (µs). */
  signUs: number;
  /** Reference with the server's signature check on every row. */
  rawVerifyMs: number;
}

async function once(server: TestPg, run: number): Promise<RunResult> {
  const tmp = tempDir('recon-sync-bench-');
  const dev = openDevice(tmp.dir, `bench-${run}`, server);
  const make = () => new SyncLoop({ store: dev.store, connection: dev.settings, password: () => dev.password, env: testDeviceKeyEnv(), batchSize: BATCH, evidence: false, backoff: { baseMs: 50, capMs: 500 } });
  try {
    await server.stopServer();
    const q0 = performance.now();
    for (let r = 0; r < RESTARTS; r++) {
      queueEvents(dev.store, Math.floor(N / (RESTARTS + 1)), 1000, `r${r}`);
      const engine = make();
      engine.start();
      while (engine.status().failures < 2) await sleep(20);
      await engine.stop(); // the app quits while offline
    }
    queueEvents(dev.store, N - RESTARTS * Math.floor(N / (RESTARTS + 1)), 1000, 'last');
    const queueMs = performance.now() - q0;
    const queued = readSyncStatus(dev.store).queueLength;
    if (queued !== N) throw new Error(`expected ${N} queued, found ${queued}`);
    await server.startServer();
    const t0 = performance.now();
    const engine = make();
    engine.start();
    while (readSyncStatus(dev.store).queueLength > 0) await sleep(100);
    const syncMs = performance.now() - t0;
    await engine.stop();

    const counts = (await serverCounts(server)).find((c) => c.device_id === dev.store.deviceId);
    if (!counts || counts.n !== N || counts.max !== N || counts.distinct_ids !== N) throw new Error(`server holds ${JSON.stringify(counts)}, expected ${N} events without gaps or duplicates`);
    const report = await withClient(dev.pool, (c) => verifyRemoteChains(c));
    if (!report.ok) throw new Error(`server chain broken: ${report.firstBreak?.message}`);

    // Reference: the same payloads, same batches, no triggers.
    const rows = dev.store.read((tx) => tx.all<{ seq: number; payload: string; signature: string }>(sql`SELECT seq, payload, signature FROM outbox WHERE device_id = ${dev.store.deviceId} ORDER BY seq`));
    // Client signing alone: the same messages the push signed, with the same key.
    const signer = deviceSigner(dev.store.deviceId, { env: testDeviceKeyEnv() });
    const hashes = rows.map((r) => (JSON.parse(r.payload) as { hash: string }).hash);
    const s0 = performance.now();
    for (let i = 0; i < rows.length; i++) signEvent(signer.privateKey, dev.store.deviceId, rows[i]!.seq, hashes[i]!);
    const signUs = ((performance.now() - s0) * 1000) / rows.length;
    const admin = await server.admin();
    await admin.query(`CREATE TEMP TABLE raw_events (device_id TEXT, seq BIGINT, event JSON, PRIMARY KEY (device_id, seq))`);
    const r0 = performance.now();
    for (let i = 0; i < rows.length; i += BATCH) {
      const slice = rows.slice(i, i + BATCH);
      await admin.query('BEGIN');
      await admin.query(`INSERT INTO raw_events SELECT $1, s, p::json FROM unnest($2::bigint[], $3::text[]) AS t(s, p) ON CONFLICT DO NOTHING`, [dev.store.deviceId, slice.map((r) => r.seq), slice.map((r) => r.payload)]);
      await admin.query('COMMIT');
    }
    const rawMs = performance.now() - r0;
    // The same again, each row kept only if the server's Ed25519 check passes (what the signature trigger adds).
    await admin.query(`CREATE TEMP TABLE raw_signed (device_id TEXT, seq BIGINT, event JSON, signature BYTEA, PRIMARY KEY (device_id, seq))`);
    const pub = Buffer.from(signer.publicKey, 'base64');
    const v0 = performance.now();
    for (let i = 0; i < rows.length; i += BATCH) {
      const slice = rows.slice(i, i + BATCH);
      await admin.query('BEGIN');
      await admin.query(
        `INSERT INTO raw_signed SELECT $1::text, s, p::json, decode(g, 'base64') FROM unnest($2::bigint[], $3::text[], $4::text[], $6::text[]) AS t(s, p, g, h)
          WHERE recon_crypto.ed25519_verify($5::bytea, convert_to('recon-event-v1' || E'\\n' || $1::text || E'\\n' || s::text || E'\\n' || h, 'UTF8'), decode(g, 'base64')) ON CONFLICT DO NOTHING`,
        [dev.store.deviceId, slice.map((r) => r.seq), slice.map((r) => r.payload), slice.map((r) => r.signature), pub, hashes.slice(i, i + BATCH)],
      );
      await admin.query('COMMIT');
    }
    const rawVerifyMs = performance.now() - v0;
    const kept = Number((await admin.query<{ n: string }>('SELECT count(*) AS n FROM raw_signed')).rows[0]!.n);
    if (kept !== N) throw new Error(`the server's Ed25519 check accepted ${kept} of ${N} signatures`);
    await admin.end();
    return { syncMs, rawMs, queueMs, signUs, rawVerifyMs };
  } finally {
    await dev.close();
    tmp.cleanup();
  }
}

const server = await startTestPg();
try {
  const results = [];
  for (let run = 0; run < RUNS; run++) {
    const r = await once(server, run);
    results.push(r);
    process.stdout.write(
      `run ${run + 1}: ${N.toLocaleString('en')} events queued offline across ${RESTARTS} engine restarts in ${(r.queueMs / 1000).toFixed(1)} s; ` +
        `caught up in ${(r.syncMs / 1000).toFixed(1)} s (${Math.round(N / (r.syncMs / 1000))} events/s); ` +
        `reference plain insert ${(r.rawMs / 1000).toFixed(1)} s; ratio ${(r.syncMs / r.rawMs).toFixed(2)}x; ` +
        `signing ${r.signUs.toFixed(1)} µs/event on the client; plain insert with the server's signature check ${(r.rawVerifyMs / 1000).toFixed(1)} s (+${(((r.rawVerifyMs - r.rawMs) * 1000) / N).toFixed(1)} µs/event)\n`,
    );
  }
  const syncMs = median(results.map((r) => r.syncMs));
  const ratio = median(results.map((r) => r.syncMs / r.rawMs));
  process.stdout.write(`median of ${RUNS}: catch-up ${(syncMs / 1000).toFixed(1)} s for ${N.toLocaleString('en')} events, ${ratio.toFixed(2)}x the plain-insert reference (batch ${BATCH})\n`);
  const rawMs = median(results.map((r) => r.rawMs));
  const signUs = median(results.map((r) => r.signUs));
  const rawVerifyMs = median(results.map((r) => r.rawVerifyMs));
  const cmd = `npm run bench:sync${RUNS !== 1 ? ` -- --runs ${RUNS}` : ''}`;
  if (!values['no-docs']) {
    writeDocsSection('sync-offline', [
      '### Team sync: catching up after working offline',
      '',
      `Command: \`${cmd}\` — measured ${new Date().toISOString().slice(0, 10)} on ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.versions.node}, against a local PostgreSQL started by scripts/pg/start-test-postgres.sh; median of ${RUNS} run(s).`,
      '',
      `${N.toLocaleString('en-US')} audit events are queued while the server is down, with the sync engine started and stopped ${RESTARTS} times meanwhile (the app restarting); then the server comes back. After catching up the server holds every event once (count = max(seq), no duplicates) and its chain verifies.`,
      '',
      '| | time | events/s |',
      '|---|---|---|',
      `| reference: the same payloads in the same batches (${BATCH}) into a plain table, no triggers | ${(rawMs / 1000).toFixed(1)} s | ${Math.round(N / (rawMs / 1000)).toLocaleString('en-US')} |`,
      `| reference with the server's Ed25519 check of every row (recon_crypto.ed25519_verify, PL/Python) | ${(rawVerifyMs / 1000).toFixed(1)} s | ${Math.round(N / (rawVerifyMs / 1000)).toLocaleString('en-US')} |`,
      `| sync engine catch-up (signing each event, push with chain, signature and 4-eye triggers, acknowledgements, outbox marking) | ${(syncMs / 1000).toFixed(1)} s | ${Math.round(N / (syncMs / 1000)).toLocaleString('en-US')} |`,
      `| **ratio** (catch-up / plain reference) | **${ratio.toFixed(2)}×** | |`,
      '',
      `Events are signed (server migration 010). Signing costs the client ${signUs.toFixed(1)} µs per event (Ed25519, node:crypto; ${((signUs * N) / 1e6).toFixed(1)} s of the catch-up); the server's check adds ${(((rawVerifyMs - rawMs) * 1000) / N).toFixed(1)} µs per event to a plain insert.`,
    ]);
  }
} finally {
  await server.destroy();
}
