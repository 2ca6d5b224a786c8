/**
 * A quick local timing of matching (not a test): `npx tsx engine/match/testing/time-matching.ts [rows]`
 * (default 100,000 a side; run it under `flock /tmp/recon-heavy.lock`). A simple deterministic
 * generator writes a ledger and a statement with 1:1 pairs (amounts a cent or two off, dates a
 * business day or two later, references mangled in free text, name variants), 1:N splits, N:1
 * batches, N:M nettings and noise; every rule kind then runs on 2 threads, each timed.
 */
import { queryRows } from '../../duckdb/open.ts';
import { runMatching } from '../run-matching.ts';
import { cashDefinition, LEDGER_HEADER, STATEMENT_HEADER } from './cash-fixture.ts';
import { stagePair } from './stage-pair.ts';

const rows = Number(process.argv[2] ?? 100_000);
let seed = 42;
const rand = (): number => {
  // mulberry32
  seed = (seed + 0x6d2b79f5) | 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
const CCY = ['EUR', 'USD', 'GBP'];
const WORDS = ['ACME', 'GLOBEX', 'INITECH', 'UMBRELLA', 'WAYNE', 'STARK', 'HOOLI', 'SOYLENT', 'TYRELL', 'CYBERDYNE', 'WONKA', 'GRINGOTTS', 'OSCORP', 'MASSIVE', 'DYNAMIC'];
const NAMES = Array.from({ length: 3000 }, (_, i) => `${pick(WORDS)} ${pick(WORDS)} ${i}`);
const day0 = Date.UTC(2024, 0, 1);
const dateOf = (businessDay: number): string => {
  const week = Math.floor(businessDay / 5);
  return new Date(day0 + (week * 7 + (businessDay % 5)) * 86_400_000).toISOString().slice(0, 10);
};
const cents = (c: number): string => `${c < 0 ? '-' : ''}${Math.floor(Math.abs(c) / 100)}.${String(Math.abs(c) % 100).padStart(2, '0')}`;

const ledger: string[] = [];
const statement: string[] = [];
let la = 0;
let sb = 0;
const L = (c: number, d: number, ccy: string, ref: string, name: string, suffix = ' Ltd'): void =>
  void ledger.push(`L${++la},${cents(c)},${dateOf(d)},${ccy},${ref},"${name}${suffix}"`);
const S = (c: number, d: number, ccy: string, text: string, name: string): void => void statement.push(`S${++sb},${cents(c)},${dateOf(d)},${ccy},${text},${name}`);
while (la < rows) {
  const kind = rand();
  const ccy = pick(CCY);
  const name = pick(NAMES);
  const d = Math.floor(rand() * 250);
  const c = 1000 + Math.floor(rand() * 9_999_000);
  const ref = `INV-${String(Math.floor(rand() * 1e8)).padStart(8, '0')}`;
  const mangled = (): string => {
    const bare = ref.replace('-', '');
    const r = rand();
    return r < 0.4 ? `PAYMENT ${bare} THANK YOU` : r < 0.7 ? `${ref.slice(0, 9)} ${name.split(' ')[0]}` : `TRF/${bare.toLowerCase()}/X`;
  };
  if (kind < 0.8) {
    // 1:1: amount a cent or two off in 10%, date up to 2 business days later.
    L(c, d, ccy, ref, name);
    S(c + (rand() < 0.1 ? Math.floor(rand() * 3) - 1 : 0), d + Math.floor(rand() * 3), ccy, rand() < 0.5 ? mangled() : 'TRANSFER', name.toUpperCase());
  } else if (kind < 0.86) {
    // 1:N: one ledger row paid in 2–4 parts.
    L(c, d, ccy, ref, name);
    const n = 2 + Math.floor(rand() * 3);
    let left = c;
    for (let i = 0; i < n; i++) {
      const part = i === n - 1 ? left : Math.floor(left / (n - i) + (rand() - 0.5) * 100);
      left -= part;
      S(part, d + Math.floor(rand() * 2), ccy, 'PART PAYMENT', name);
    }
  } else if (kind < 0.9) {
    // N:1: 2–3 ledger rows paid at once.
    const n = 2 + Math.floor(rand() * 2);
    let total = 0;
    for (let i = 0; i < n; i++) {
      const part = 1000 + Math.floor(rand() * 500_000);
      total += part;
      L(part, d, ccy, `${ref}${i}`, name);
    }
    S(total, d + 1, ccy, 'BATCH', name);
  } else if (kind < 0.92) {
    // N:M: two invoices settled by two payments (the same name on both sides: N:M clusters share groupBy values across sides).
    const a1 = 1000 + Math.floor(rand() * 500_000);
    const a2 = 1000 + Math.floor(rand() * 500_000);
    const b1 = Math.floor((a1 + a2) / 3);
    L(a1, d, ccy, ref, name, '');
    L(a2, d + 1, ccy, `${ref}9`, name, '');
    S(b1, d, ccy, 'NETTING', name);
    S(a1 + a2 - b1, d + 1, ccy, 'NETTING', name);
  } else {
    // Noise on both sides.
    L(c, d, ccy, ref, name);
    S(1000 + Math.floor(rand() * 9_999_000), Math.floor(rand() * 250), ccy, 'FEE', pick(NAMES));
  }
}

const definition = cashDefinition([
  { name: 'amount-ref', conditions: [{ equal: 'currency' }, { amount: {} }, { reference: { field: 'reference', minLength: 8 } }] },
  { name: 'amount-date-name', conditions: [{ equal: 'currency' }, { amount: { abs: '0.02' } }, { date: { businessDays: 2 } }, { similar: { field: 'name', min: 0.85 } }] },
  { name: 'ref-only', conditions: [{ reference: { field: 'reference', minLength: 8 } }] },
  { name: 'split', type: '1:N', conditions: [{ equal: 'currency' }, { amount: { abs: '0.01' } }, { date: { days: 3 } }], groupBy: ['name'] },
  { name: 'batch', type: 'N:1', conditions: [{ equal: 'currency' }, { amount: { abs: '0.01' } }, { date: { days: 3 } }], groupBy: ['name'] },
  { name: 'netting', type: 'N:M', conditions: [{ equal: 'currency' }, { amount: { abs: '0.01' } }, { date: { days: 2 } }], groupBy: ['name'] },
]);

const t0 = performance.now();
const p = await stagePair([LEDGER_HEADER, ...ledger, ''].join('\n'), [STATEMENT_HEADER, ...statement, ''].join('\n'), definition, { threads: 2 });
if (process.env['MEMORY_LIMIT']) await p.conn.run(`SET memory_limit = '${process.env['MEMORY_LIMIT'].replace(/[^0-9A-Za-z]/g, '')}'`);
console.log(`staged ${ledger.length} ledger and ${statement.length} statement rows in ${Math.round(performance.now() - t0)} ms`);
const times = new Map<string, number>();
let last = performance.now();
const t1 = last;
const result = await runMatching(p.conn, p.plan, {
  onProgress: (rule, fraction) => {
    if (fraction === 1) {
      const now = performance.now();
      times.set(rule, Math.round(now - last));
      last = now;
    } else if (fraction === 0) last = performance.now();
  },
});
const total = Math.round(performance.now() - t1);
for (const [rule, ms] of times) console.log(`  ${rule.padEnd(18)} ${String(ms).padStart(6)} ms`);
console.log(`matching in all (with working sets and result tables): ${total} ms`);
console.log(JSON.stringify(result));
const [mem] = await queryRows(p.conn, "SELECT current_setting('memory_limit') AS memory_limit, (SELECT sum(memory_usage_bytes) FROM duckdb_memory()) AS bytes");
console.log(mem);
await p.dispose();
