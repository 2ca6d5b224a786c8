/**
 * A reason rule's conditions in words, for the people who approve it: an
 * approver reads "field Notional · A is "RATES-LDN" · |Δ| ≤ 1000", not JSON.
 * Pure, so it is tested without a browser.
 */

type Json = Record<string, unknown>;

const isObj = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);
const list = (v: unknown): string => (Array.isArray(v) ? v.map(String).join(', ') : String(v));
const q = (v: unknown): string => `"${String(v)}"`;

/** A value test (equals, in, notIn, pattern, empty) on `what`. */
export function valueTestWords(what: string, t: unknown): string[] {
  if (!isObj(t)) return [];
  const out: string[] = [];
  if (t['equals'] !== undefined) out.push(`${what} is ${q(t['equals'])}`);
  if (Array.isArray(t['in'])) out.push(`${what} is one of ${t['in'].map(q).join(', ')}`);
  if (Array.isArray(t['notIn'])) out.push(`${what} is none of ${t['notIn'].map(q).join(', ')}`);
  if (t['pattern'] !== undefined) out.push(`${what} matches /${String(t['pattern'])}/`);
  if (t['empty'] === true) out.push(`${what} is empty`);
  if (t['empty'] === false) out.push(`${what} is present`);
  return out;
}

/** A number test (min, max, absMin, absMax, equals, oneOf, multipleOf, tolerance) on `what`. */
export function numberTestWords(what: string, t: unknown): string[] {
  if (!isObj(t)) return [];
  const tol = typeof t['tolerance'] === 'number' && t['tolerance'] > 0 ? ` (± ${t['tolerance']})` : '';
  const out: string[] = [];
  if (t['min'] !== undefined && t['max'] !== undefined) out.push(`${what} from ${t['min']} to ${t['max']}`);
  else if (t['min'] !== undefined) out.push(`${what} ≥ ${t['min']}`);
  else if (t['max'] !== undefined) out.push(`${what} ≤ ${t['max']}`);
  if (t['absMin'] !== undefined) out.push(`|${what}| ≥ ${t['absMin']}`);
  if (t['absMax'] !== undefined) out.push(`|${what}| ≤ ${t['absMax']}`);
  if (t['equals'] !== undefined) out.push(`${what} = ${t['equals']}${tol}`);
  if (Array.isArray(t['oneOf'])) out.push(`${what} is one of ${list(t['oneOf'])}${tol}`);
  if (t['multipleOf'] !== undefined) out.push(`${what} is a multiple of ${t['multipleOf']}${tol}`);
  return out;
}

/** Every condition of a rule, one phrase each, in the order a person reads a break. */
export function conditionWords(conditions: unknown): string[] {
  if (!isObj(conditions)) return [];
  const c = conditions;
  const out: string[] = [];
  if (c['field'] !== undefined) out.push(`field ${list(c['field'])}`);
  if (c['diffType'] !== undefined) out.push(`diff type ${list(c['diffType'])}`);
  out.push(...valueTestWords('A', c['valueA']), ...valueTestWords('B', c['valueB']));
  out.push(...numberTestWords('Δ', c['delta']), ...numberTestWords('B/A', c['ratio']));
  const d = c['dayShift'];
  if (isObj(d)) {
    if (d['equals'] !== undefined) out.push(`a day shift of ${d['equals']}`);
    if (d['min'] !== undefined || d['max'] !== undefined) out.push(`a day shift from ${d['min'] ?? '−∞'} to ${d['max'] ?? '∞'}`);
    if (d['absMax'] !== undefined) out.push(`|day shift| ≤ ${d['absMax']}`);
  }
  for (const side of ['A', 'B'] as const) {
    const rec = c[`record${side}`];
    if (isObj(rec)) for (const [field, t] of Object.entries(rec)) out.push(...valueTestWords(`${side}'s ${field}`, t));
  }
  const h = c['history'];
  if (isObj(h)) {
    if (h['lifecycle'] !== undefined) out.push(`lifecycle ${list(h['lifecycle'])}`);
    if (h['minAgeRuns'] !== undefined) out.push(`open for at least ${h['minAgeRuns']} runs`);
    if (h['previousReason'] !== undefined) out.push(h['previousReason'] === 'SAME' ? 'the same reason in the previous run' : `the previous run's reason was ${h['previousReason']}`);
    if (h['previouslyDecided'] === true) out.push('a reviewer decided it in the previous run');
    if (h['previouslyDecided'] === false) out.push('no reviewer decided it in the previous run');
  }
  return out;
}

/** "Rates (definition)" or "every definition": a rule's scope in words. */
export function scopeWords(definition: string | null | undefined): string {
  return definition ? definition : 'every definition';
}
