/**
 * A child process for the crash and concurrency tests: it writes decisions
 * and approvals to a workspace in a loop and prints `ok <table> <id>` after
 * each commit. The parent kills it at random moments and checks that every
 * reported id survived. Usage:
 *   node --import tsx crash-writer.ts WORKSPACE [--seed N] [--ops N] [--wait] [--migrations DIR]
 * --wait: load everything, print "warm", and start only when stdin sends a
 * line, so the parent can start the next writer while it kills this one.
 */
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { Rng } from '../../generate/prng.ts';
import { baseStatusOf, suggestionOf } from '../../run-file/break.ts';
import { openStore } from '../../store/open.ts';
import { sql } from '../../store/sql.ts';
import { approveProposal, rejectProposal } from '../approvals.ts';
import { decide } from '../decisions.ts';
import type { Identity } from '../identity.ts';
import { ALICE, BOB, CAROL, CRASH_BREAKS, CRASH_RUN_ID, memoryBreakSource, syntheticBreak } from './fixtures.ts';

const { values, positionals } = parseArgs({
  args: process.argv.slice(2),
  options: { seed: { type: 'string' }, ops: { type: 'string' }, wait: { type: 'boolean', default: false }, 'busy-ms': { type: 'string' }, migrations: { type: 'string' } },
  allowPositionals: true,
});
const workspace = positionals[0];
if (!workspace) throw new Error('usage: crash-writer.ts WORKSPACE');
const rng = new Rng(Number(values.seed ?? Date.now() % 2 ** 31));
const maxOps = Number(values.ops ?? Infinity);
const say = (line: string): void => void process.stdout.write(`${line}\n`);

if (values.wait) {
  say('warm');
  const rl = createInterface({ input: process.stdin });
  await new Promise<void>((resolve) => rl.once('line', () => resolve()));
  rl.close();
}

const store = openStore(workspace, { busyTimeoutMs: Number(values['busy-ms'] ?? 5000), ...(values.migrations ? { migrationsDir: values.migrations } : {}) });
const source = memoryBreakSource(CRASH_BREAKS);
say('open');
const maker = (): Identity => (rng.chance(0.5) ? ALICE : CAROL);

for (let op = 0; op < maxOps; op++) {
  const breakId = rng.int(1, CRASH_BREAKS);
  try {
    const row = store.read((tx) => tx.get<{ status: string; decision_id: string }>(sql`SELECT status, decision_id FROM break_status WHERE run_id = ${CRASH_RUN_ID} AND break_id = ${breakId}`));
    const status = row?.status ?? baseStatusOf(syntheticBreak(breakId));
    const runId = CRASH_RUN_ID;
    if (status === 'PROPOSED') {
      const a = rng.chance(0.7) ? approveProposal(store, BOB, row!.decision_id, 'ok') : rejectProposal(store, BOB, row!.decision_id, 'no');
      say(`ok approvals ${a.approvalId}`);
    } else if (status === 'AUTO' || status === 'REVIEW') {
      const p = rng.next();
      const d =
        p < 0.55 && suggestionOf(syntheticBreak(breakId)) !== null
          ? await decide(store, source, maker(), { runId, breakId, kind: 'ACCEPT' })
          : p < 0.85
            ? await decide(store, source, maker(), { runId, breakId, kind: 'OVERRIDE', reason: 'FX_DIFF', comment: `op ${op}` })
            : await decide(store, source, maker(), { runId, breakId, kind: 'REJECT', comment: `op ${op}` });
      say(`ok decisions ${d.decisionId}`);
    } else {
      const d = await decide(store, source, maker(), { runId, breakId, kind: 'REOPEN' });
      say(`ok decisions ${d.decisionId}`);
    }
  } catch (err) {
    const code = (err as { code?: string }).code;
    // Two writers may race for the same break, or wait too long for the lock: both are clean refusals.
    if (code === 'ILLEGAL_TRANSITION' || code === 'STORE_BUSY') say(`refused ${code}`);
    else throw err;
  }
}
store.close();
say('done');
