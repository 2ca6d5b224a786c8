/**
 * The breaks grid at 1,000,000 breaks, through the browser host's WebSocket
 * bridge, from Node (a ws client speaking the page's protocol):
 *   - time to the first page after opening a run (fresh host, cold file);
 *   - page fetches while scrolling: sequential blocks of 100, and jumps;
 *   - sorted and filtered views: the first page (builds the view) and the
 *     pages after it.
 * Prints JSON. Targets (issue 5): first page <= 1 s, p95 page <= 100 ms.
 *
 *   npx tsx bench/grid-bench.ts [--breaks 1000000] [--runs 3] [--fresh]
 */
import { existsSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { buildRenderer, ROOT, serve, type Served } from '../e2e/harness.ts';
import type { BridgeMessage } from '../engine/contract/bridge.ts';
import type { CallArgs, CallName } from '../engine/contract/index.ts';
import { registerRunFromSummaryFile } from '../engine/host/testing/register-run.ts';
import { createSyntheticRun } from './synthetic-run.ts';

const { values } = parseArgs({
  options: {
    breaks: { type: 'string', default: '1000000' },
    runs: { type: 'string', default: '3' },
    fresh: { type: 'boolean', default: false },
    'data-dir': { type: 'string', default: join(ROOT, 'bench-data', 'grid') },
  },
});
const breaks = Number(values.breaks);
const workspace = join(values['data-dir'], `breaks-${breaks}`);
const runId = `synthetic-${breaks}`;

/** A bridge client: one call at a time, timed from send to reply. */
class Bridge {
  readonly #ws: WebSocket;
  #id = 0;
  private constructor(ws: WebSocket) {
    this.#ws = ws;
  }

  static open(url: string): Promise<Bridge> {
    const u = new URL(url);
    const token = /token=([0-9a-f]+)/.exec(u.hash)![1]!;
    const ws = new WebSocket(`ws://${u.host}/bridge`, ['recon.v1', `recon.token.${token}`], { headers: { Origin: u.origin } });
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new Bridge(ws)));
      ws.once('error', reject);
    });
  }

  /** Calls and returns [milliseconds, value]; throws on an error reply. */
  call<K extends CallName>(name: K, args: CallArgs<K>): Promise<[number, unknown]> {
    const id = ++this.#id;
    const t0 = performance.now();
    return new Promise((resolve, reject) => {
      const onMessage = (data: WebSocket.RawData): void => {
        const m = JSON.parse(data.toString()) as BridgeMessage;
        if (m.type !== 'reply' || m.id !== id) return;
        this.#ws.off('message', onMessage);
        if (m.reply.ok) resolve([performance.now() - t0, m.reply.value]);
        else reject(new Error(`${m.reply.error.code}: ${m.reply.error.message}`));
      };
      this.#ws.on('message', onMessage);
      this.#ws.send(JSON.stringify({ type: 'call', id, name, args }));
    });
  }

  close(): void {
    this.#ws.close();
  }
}

const quantile = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
};
const median = (xs: number[]): number => quantile(xs, 0.5);
const ms = (x: number): number => Math.round(x * 10) / 10;
const stats = (xs: number[]) => ({ n: xs.length, p50: ms(median(xs)), p95: ms(quantile(xs, 0.95)), max: ms(Math.max(...xs)) });

type PageArgs = Omit<CallArgs<'breaks.page'>, 'runId' | 'startRow' | 'endRow'>;

async function pages(b: Bridge, view: PageArgs, starts: number[]): Promise<number[]> {
  const out: number[] = [];
  for (const s of starts) out.push((await b.call('breaks.page', { runId, startRow: s, endRow: s + 100, ...view }))[0]);
  return out;
}

/** A fresh host (nothing open, no views), as when the app has just started. */
async function withHost<T>(fn: (b: Bridge) => Promise<T>): Promise<T> {
  const served: Served = await serve(workspace);
  const b = await Bridge.open(served.url);
  try {
    return await fn(b);
  } finally {
    b.close();
    await served.stop();
  }
}

async function main(): Promise<void> {
  if (!existsSync(join(ROOT, 'out/renderer/index.html'))) buildRenderer();
  if (values.fresh || !existsSync(join(workspace, 'runs', `${runId}.json`))) {
    process.stderr.write(`building a synthetic run with ${breaks.toLocaleString('en-US')} breaks in ${workspace}\n`);
    await createSyntheticRun({ workspace, runId, breaks });
  }
  // Hosts list and open registered runs only.
  await registerRunFromSummaryFile(workspace, runId);

  // 1. Opening a run: runs.get (opens the file), then the grid's facets and first page, as the UI does.
  const open: { runsGet: number; facets: number; firstPage: number; total: number }[] = [];
  for (let i = 0; i < Number(values.runs); i++) {
    open.push(
      await withHost(async (b) => {
        const t0 = performance.now();
        const [runsGet] = await b.call('runs.get', { runId });
        const [[facets], [firstPage]] = await Promise.all([b.call('breaks.facets', { runId }), b.call('breaks.page', { runId, startRow: 0, endRow: 100 })]);
        return { runsGet, facets, firstPage, total: performance.now() - t0 };
      }),
    );
  }

  // 2. Scrolling and views, on one warm host.
  const result = await withHost(async (b) => {
    const [coldPage] = await b.call('breaks.page', { runId, startRow: 0, endRow: 100 });
    const sequential = await pages(b, {}, Array.from({ length: 200 }, (_, i) => i * 100));
    let seed = 7;
    const rand = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const jumps = await pages(b, {}, Array.from({ length: 50 }, () => Math.floor(rand() * (breaks - 100))));
    const views: Record<string, PageArgs> = {
      'sort delta desc': { sortModel: [{ colId: 'delta', sort: 'desc' }] },
      'sort confidence asc (joins attributions)': { sortModel: [{ colId: 'confidence', sort: 'asc' }] },
      'filter field=Notional, status=REVIEW': { filterModel: { field: { filterType: 'set', values: ['Notional'] }, status: { filterType: 'set', values: ['REVIEW'] } } },
      'filter key contains "1234", sort key desc': { filterModel: { key: { filterType: 'text', type: 'contains', filter: '1234' } }, sortModel: [{ colId: 'key', sort: 'desc' }] },
      'quick filter "99"': { quickFilter: '99' },
    };
    const viewResults: Record<string, unknown> = {};
    const allViewPages: number[] = [];
    for (const [name, view] of Object.entries(views)) {
      const [firstMs, first] = await b.call('breaks.page', { runId, startRow: 0, endRow: 100, ...view });
      const rows = (first as { lastRow: number }).lastRow;
      const starts = Array.from({ length: 100 }, (_, i) => Math.min(i * 100, Math.max(0, rows - 100)));
      const after = await pages(b, view, starts);
      allViewPages.push(...after);
      viewResults[name] = { rows, firstPageMs: ms(firstMs), pages: stats(after) };
    }
    // Jumps in a sorted view: each lands in a window not read yet (the worst case of scrolling).
    const sortedJumps = await pages(b, views['sort delta desc']!, Array.from({ length: 50 }, () => Math.floor(rand() * (breaks - 100) / 100) * 100));
    return {
      coldFirstPageMs: ms(coldPage),
      sequential: stats(sequential),
      jumps: stats(jumps),
      views: viewResults,
      sortedViewJumps: stats(sortedJumps),
      allScrollPages: stats([...sequential, ...jumps, ...allViewPages, ...sortedJumps]),
    };
  });

  const report = {
    breaks,
    machine: `${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.versions.node}`,
    date: new Date().toISOString().slice(0, 10),
    openRun: {
      runs: open.length,
      runsGetMs: ms(median(open.map((o) => o.runsGet))),
      facetsMs: ms(median(open.map((o) => o.facets))),
      firstPageMs: ms(median(open.map((o) => o.firstPage))),
      openToFirstPageMs: ms(median(open.map((o) => o.total))),
    },
    ...result,
    targets: { firstPageMs: 1000, p95PageMs: 100 },
  };
  const pass = report.openRun.openToFirstPageMs <= 1000 && result.allScrollPages.p95 <= 100;
  process.stdout.write(`${JSON.stringify({ ...report, meetsTargets: pass }, null, 2)}\n`);
}

await main();
