/**
 * Realistic reason rules (issue 20, engine/rules) over the risk domain of
 * engine/attribution/testing/domains.ts, for bench/attribution-bench.ts: sign
 * flips, FX per currency, rounding per book, noise per region, a scale, a
 * static-data list, a rule that never matches, a catch-all late in the order.
 */
import type { RunReasonRule } from '../engine/rules/apply-run.ts';
import { conditionsSha256 } from '../engine/rules/governance.ts';
import { parseReasonRule } from '../engine/rules/schema.ts';

/** Realistic team rules over the risk domain: sign flips, FX per currency, rounding per book, noise per region, a scale, a static-data list. */
export function teamRules(n: number): RunReasonRule[] {
  const drafts: unknown[] = [
    { name: 'PV sign flip', reason: 'SIGN_FLIP', conditions: { field: 'pv', ratio: { equals: -1, tolerance: 0.02 } } },
    ...[['EUR', 1.0843], ['GBP', 1.2711], ['CHF', 1.1327], ['AUD', 0.6612], ['JPY', 0.00668]].map(([ccy, rate]) => ({
      name: `${ccy} notional in USD`,
      reason: 'FX_DIFF',
      conditions: { field: 'notional', recordA: { currency: { equals: ccy } }, ratio: { equals: rate, tolerance: Number(rate) * 0.001 } },
    })),
    ...['RATES1', 'RATES2', 'CREDIT', 'FXOPT'].map((book) => ({ name: `${book} delta to 2 places`, reason: 'ROUNDING_DIFF', conditions: { field: 'delta', recordA: { book: { equals: book } }, valueB: { pattern: '^-?[0-9]+[.][0-9]{1,2}$' } } })),
    { name: 'delta to 4 places', reason: 'ROUNDING_DIFF', conditions: { field: 'delta', valueB: { pattern: '[.][0-9]{3,4}$' }, delta: { absMax: 0.0001 } } },
    ...['LDN', 'NYC', 'TKY'].map((region) => ({ name: `${region} PV noise`, reason: 'TIMING_DIFF', conditions: { field: 'pv', recordA: { region: { equals: region } }, delta: { min: -400, max: 400 } } })),
    { name: 'notional scale', reason: 'SCALE_DIFF', conditions: { field: 'notional', ratio: { oneOf: [1000, 0.001, 100, 0.01], tolerance: 1e-9 } } },
    { name: 'watch-list trades', reason: 'STATIC_DATA', conditions: { recordA: { trade_id: { in: Array.from({ length: 200 }, (_, i) => `T${String(i * 997).padStart(6, '0')}`) } } } },
    { name: 'FXOPT notional', reason: 'STATIC_DATA', conditions: { field: 'notional', recordA: { book: { equals: 'FXOPT' }, region: { equals: 'TKY' } }, delta: { absMin: 1e9 } } },
    { name: 'missing at the custodian', reason: 'TIMING_DIFF', conditions: { diffType: 'MISSING_IN_B' } },
    { name: 'large PV in New York', reason: 'STATIC_DATA', conditions: { field: 'pv', recordA: { region: { equals: 'NYC' }, book: { in: ['CREDIT', 'FXOPT'] } }, delta: { absMin: 250000 } } },
    { name: 'delta outside London', reason: 'ROUNDING_DIFF', order: 200, conditions: { field: 'delta', recordA: { region: { notIn: ['LDN'] } }, delta: { absMax: 0.005 } } },
  ];
  return drafts.slice(0, n).map((d, i) => {
    const b = parseReasonRule(d, { owner: 'bench' });
    return { ruleId: `bench-${i}`, version: 1, name: b.name, reason: b.reason, definition: null, order: i, conditions: b.conditions, conditionsSha256: conditionsSha256(b) };
  });
}
