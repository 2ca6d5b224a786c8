/**
 * Hostile arguments for every contract call: the whole payload of the wrong
 * type, then each argument (and each argument of a nested object) replaced by
 * a wrong type, an empty or huge string, a path that does not exist, a
 * directory, a device, numbers out of every range (±2^63, 1e308), and a few
 * targeted ones per call (grid filters past BIGINT, a definition named like a
 * path…). Shared by the in-process suite (hostile-calls.test.ts) and the one
 * through `recon serve`'s WebSocket bridge (e2e/hostile-calls.e2e.test.ts).
 *
 * BASELINES is typed by the contract's call names: a new call does not
 * compile until it has a baseline here, so it is driven too.
 */
import { contract, type CallArgs, type CallName } from '../../contract/index.ts';
import { ERROR_CODES } from '../../errors/recon-error.ts';

/** What the baselines need from the workspace under test. */
export interface HostileContext {
  runId: string;
  aPath: string;
  /** A file that does not exist and cannot be created (a folder on its path is a file), so it stays missing whatever the calls write. */
  missing: string;
  /** An existing directory. */
  dir: string;
  /** A valid definition for the run's inputs. */
  definition: CallArgs<'runs.start'>['definition'];
  /** Where exports may be written. */
  outDir: string;
}

/** An id no rule, proposal or decision has. */
const NO_SUCH_ID = '6f1c1c8e-8f1a-4c52-9a7e-3f6f1d2b7c12';

/** A valid reason rule for the run's definition: each of its parts is replaced in turn. */
function hostileRule(c: HostileContext): CallArgs<'rules.propose'>['rule'] {
  return { name: 'Hostile rule', reason: 'TIMING_DIFF', definition: c.definition.name, order: 10, conditions: { field: 'Notional', diffType: 'MISMATCH', delta: { absMax: 1 } } };
}

/** Valid-looking arguments for each call; hostile cases replace one part at a time. */
export function baselines(c: HostileContext): { [K in CallName]: CallArgs<K> } {
  return {
    'app.version': {},
    'runs.list': {},
    'runs.get': { runId: c.runId },
    // B is missing, so no variant starts a real run; every argument is still parsed and checked.
    'runs.start': { aPath: c.aPath, bPath: c.missing, definition: c.definition },
    'runs.cancel': { runId: c.runId },
    'runs.ageing': { runId: c.runId },
    'series.list': {},
    'series.get': { name: c.definition.name, limit: 10 },
    'files.preview': { path: c.aPath, side: 'a', source: { delimiter: ',' }, limit: 5 },
    'files.choose': { mode: 'open', title: 'Pick', defaultPath: c.dir, filters: [{ name: 'CSV', extensions: ['csv'] }] },
    'definitions.list': {},
    'definitions.get': { name: 'trades' },
    'definitions.save': { definition: c.definition, overwrite: true },
    'definitions.import': { path: c.aPath },
    'definitions.export': { definition: c.definition as Record<string, unknown>, path: `${c.outDir}/definition.json`, overwrite: false },
    'breaks.page': { runId: c.runId, startRow: 0, endRow: 10, sortModel: [{ colId: 'delta', sort: 'desc' }], filterModel: { breakId: { filterType: 'number', type: 'greaterThan', filter: 1 } }, quickFilter: 'a' },
    'breaks.facets': { runId: c.runId },
    'breaks.detail': { runId: c.runId, breakId: 1 },
    'breaks.largest': { runId: c.runId, perCurrency: 3 },
    'breaks.history': { runId: c.runId, breakId: 1 },
    // The run is a keyed run: every matching call must answer NOT_A_MATCHING_RUN (or an argument error), never die.
    'matching.groups': { runId: c.runId, filter: { rule: 'r', matchType: '1:N', amountMin: '1', amountMax: '10', dateFrom: '2026-01-01', dateTo: '2026-12-31', text: 'a' }, offset: 0, limit: 10 },
    'matching.groupRows': { runId: c.runId, matchId: 'M000001' },
    'matching.unmatched': { runId: c.runId, side: 'a', filter: {}, offset: 0, limit: 10 },
    'matching.candidates': { runId: c.runId, side: 'a', rid: 0, limit: 5 },
    'matching.preview': { runId: c.runId, rows: [{ side: 'a', rid: 0 }, { side: 'b', rid: 0 }] },
    'matching.match': { runId: c.runId, rows: [{ side: 'a', rid: 0 }, { side: 'b', rid: 0 }], comment: 'hostile' },
    'matching.unmatch': { runId: c.runId, matchId: 'M000001', comment: 'hostile' },
    'matching.actions': { runId: c.runId, pendingOnly: true },
    'matching.decide': { actionId: '6f1c1c8e-8f1a-4c52-9a7e-3f6f1d2b7c11', verdict: 'REJECTED', comment: 'no' },
    'matching.withdraw': { actionId: '6f1c1c8e-8f1a-4c52-9a7e-3f6f1d2b7c11' },
    'review.decide': { runId: c.runId, breakId: 1, kind: 'REJECT', comment: 'hostile' },
    'review.bulkPreview': { runId: c.runId, filter: { field: 'Notional', maxAbsDelta: '10' } },
    'review.bulk': { runId: c.runId, filter: { field: 'Notional', maxAbsDelta: '0.001' }, kind: 'REJECT', comment: 'hostile' },
    'review.history': { runId: c.runId, breakId: 1 },
    'approvals.list': {},
    'approvals.decide': { decisionId: '6f1c1c8e-8f1a-4c52-9a7e-3f6f1d2b7c11', verdict: 'REJECT', comment: 'no' },
    'approvals.breaks': { decisionId: '6f1c1c8e-8f1a-4c52-9a7e-3f6f1d2b7c11', offset: 0, limit: 10 },
    'approvals.withdraw': { decisionId: '6f1c1c8e-8f1a-4c52-9a7e-3f6f1d2b7c11', comment: 'mine' },
    'audit.list': { actor: 'ada', action: 'decision.', target: 'run:', from: '2020-01-01', to: '2999-01-01', limit: 5, before: { at: '2999-01-01', deviceId: 'x', seq: 1 } },
    'audit.verify': {},
    'audit.export': { path: `${c.outDir}/audit.ndjson`, overwrite: false },
    'users.me': {},
    'users.list': {},
    'users.add': { userId: 'hostile', displayName: 'H', roles: ['analyst'] },
    'users.grant': { userId: 'cy', role: 'approver' },
    'users.revoke': { userId: 'cy', role: 'approver' },
    'reasons.list': { includeRetired: true },
    'reasons.add': { code: 'HOSTILE_CODE', description: 'added by the hostile test', category: 'NOISE' },
    'reasons.retire': { code: 'HOSTILE_CODE', comment: 'gone' },
    'reasons.setSla': { code: 'HOSTILE_CODE', slaDays: 5 },
    'rules.list': { definition: c.definition.name, includeRetired: true },
    'rules.versions': { ruleId: NO_SUCH_ID },
    'rules.propose': { rule: hostileRule(c), comment: 'hostile' },
    'rules.retire': { ruleId: NO_SUCH_ID, comment: 'gone' },
    'rules.proposals': { pendingOnly: true, ruleId: NO_SUCH_ID },
    'rules.approve': { proposalId: NO_SUCH_ID, comment: 'ok' },
    'rules.reject': { proposalId: NO_SUCH_ID, comment: 'no' },
    'rules.withdraw': { proposalId: NO_SUCH_ID, comment: 'mine' },
    'rules.preview': { rule: hostileRule(c), runId: c.runId, recentRuns: 2, limit: 10 },
    'rules.draftFromBreaks': { runId: c.runId, breakIds: [1, 2], reason: 'TIMING_DIFF', name: 'Drafted', recentRuns: 2 },
    'rules.draftFromInference': { pattern: { kind: 'scale', field: 'Notional', value: 1000 }, definition: c.definition.name },
    'rules.agreement': { runId: c.runId, limit: 10 },
    'model.info': {},
    'model.retrain': { threshold: 0.9 },
    'model.cancel': { jobId: 'rt-00000000' },
    'model.promote': { jobId: 'rt-00000000' },
    'settings.get': {},
    'settings.set': { bulkProposalThreshold: 50 },
    'definitions.infer': { aPath: c.aPath, bPath: c.missing, sampleRows: 100, seed: 1, taskId: 'inf-h' },
    'runs.export': { runId: c.runId, format: 'summary', path: `${c.outDir}/summary.txt`, overwrite: false, taskId: 'exp-h' },
    'tasks.cancel': { taskId: 'nothing-running' },
    // Port 1 on loopback refuses at once: a configured loop fails fast, offline.
    'sync.status': {},
    'sync.configure': { host: '127.0.0.1', port: 1, database: 'recon', user: 'recon', tls: 'disable' },
    'sync.login': { password: 'secret' },
    'sync.forget': {},
    'sync.now': {},
    'sync.unpark': { action: 'discard', fromSeq: 1 },
    'inbox.list': { includeAcknowledged: true },
    'inbox.acknowledge': { decisionId: '00000000-0000-4000-8000-000000000000' },
    // Saved source connections: port 1 on loopback refuses at once, so a test or preview fails fast.
    'connections.list': {},
    'connections.save': { connection: { name: 'hostile', driver: 'postgres', host: '127.0.0.1', port: 1, database: 'recon', user: 'recon', tls: 'disable', connectTimeoutSeconds: 2, queryTimeoutSeconds: 5 } },
    'connections.remove': { name: 'hostile-gone' },
    'connections.setPassword': { name: 'hostile', password: 'secret' },
    'connections.forgetPassword': { name: 'hostile' },
    'connections.test': { name: 'hostile', path: '' },
    'connections.preview': { side: 'a', source: { kind: 'query', connection: 'hostile', sql: 'SELECT :x AS x', params: { x: 1 } }, limit: 5 },
  };
}

/** Values that replace one argument. `huge` is the length of the huge string (the bridge takes messages up to 1 MiB). */
export function hostileValues(c: HostileContext, huge: number): unknown[] {
  return [
    null,
    true,
    0,
    -1,
    1.5,
    2 ** 53,
    2 ** 63,
    -(2 ** 63),
    2 ** 64,
    1e308,
    -1e308,
    '',
    '   ',
    'x'.repeat(huge),
    '\u0000',
    '\u202e\ud800',
    '../../../../../../etc/passwd',
    c.missing,
    c.dir,
    '/dev/null',
    '/proc/self/status',
    [],
    [null, 1, 'a'],
    {},
    { nested: { deeper: [1, { x: 'y' }] } },
    JSON.parse('{"__proto__":{"polluted":true}}') as unknown,
  ];
}

/** Payloads of the wrong kind altogether. */
export const HOSTILE_PAYLOADS: unknown[] = [undefined, null, 0, 'args', [], true, [{}], JSON.parse('{"__proto__":{"polluted":true}}') as unknown, { constructor: { prototype: { polluted: true } } }];

/** Per call, arguments aimed at what its handler does with them. */
export function targetedCases(c: HostileContext): { name: CallName; args: unknown }[] {
  const page = (filterModel: unknown, extra: Record<string, unknown> = {}) => ({ name: 'breaks.page' as const, args: { runId: c.runId, startRow: 0, endRow: 10, filterModel, ...extra } });
  const num = (col: string, type: string, filter: unknown, filterTo?: unknown) => ({ [col]: { filterType: 'number', type, filter, ...(filterTo !== undefined ? { filterTo } : {}) } });
  const cases: { name: CallName; args: unknown }[] = [];
  for (const col of ['breakId', 'confidence', 'delta', 'key', 'status', 'ageDays', 'pastSla']) {
    for (const v of [2 ** 63, -(2 ** 63), 2 ** 64, 1e308, -1e308, 2 ** 63 - 1024, 2 ** 53 + 2, 0.1, -0]) {
      for (const type of ['equals', 'notEqual', 'lessThan', 'greaterThanOrEqual']) cases.push(page(num(col, type, v)));
      cases.push(page(num(col, 'inRange', -v, v)));
      cases.push(page({ [col]: { filterType: 'number', operator: 'OR', conditions: [{ filterType: 'number', type: 'equals', filter: v }, { filterType: 'number', type: 'lessThan', filter: -v }] } }));
    }
  }
  for (const text of ['%', '_', '\\', "'; DROP TABLE breaks; --", '\u0000', 'x'.repeat(1000)]) {
    for (const type of ['contains', 'notContains', 'startsWith', 'endsWith', 'equals', 'blank']) cases.push(page({ key: { filterType: 'text', type, filter: text } }));
    cases.push(page({ status: { filterType: 'set', values: [text, null] } }));
    cases.push(page({}, { quickFilter: text.slice(0, 200) }));
  }
  cases.push(page({}, { startRow: 2 ** 53 - 100, endRow: 2 ** 53 - 1 }));
  cases.push(page({}, { startRow: 5, endRow: 5 }));
  cases.push(page({}, { sortModel: [{ colId: 'delta', sort: 'asc' }, { colId: 'delta', sort: 'desc' }, { colId: 'key', sort: 'asc' }] }));
  cases.push(page({ notAColumn: { filterType: 'text', type: 'contains', filter: 'x' } }));
  // A filter of the wrong kind for its column: a set or text filter on a number column.
  cases.push(page({ breakId: { filterType: 'set', values: ['abc', null] } }));
  cases.push(page({ delta: { filterType: 'text', type: 'contains', filter: '1' } }));
  cases.push(page({ confidence: { filterType: 'text', operator: 'AND', conditions: [{ filterType: 'text', type: 'equals', filter: 'x' }] } }));
  // Record-context columns: names that are not fields of the records, that need quoting, or that try to leave the identifier.
  for (const field of ['"; DROP TABLE breaks; --', 'Currency"', '__rid', '\u0000', 'x'.repeat(200), 'Notional']) {
    const col = `ctx:a:${field}`;
    cases.push(page({}, { context: [col] }));
    cases.push(page({ [col]: { filterType: 'text', type: 'contains', filter: "'; --" } }, { sortModel: [{ colId: col, sort: 'desc' }], quickFilter: 'x', context: [col] }));
    cases.push(page({ [col]: { filterType: 'number', type: 'greaterThan', filter: 2 ** 63 - 1024 } }));
    cases.push({ name: 'breaks.facets', args: { runId: c.runId, filterModel: { [col]: { filterType: 'set', values: ['x', null] } }, quickFilter: 'x', context: [col] } });
  }
  cases.push(page({}, { context: Array.from({ length: 13 }, (_, i) => `ctx:b:f${i}`) }));
  cases.push({ name: 'breaks.facets', args: { runId: c.runId, filterModel: { field: { filterType: 'set', values: Array.from({ length: 1000 }, (_, i) => `v${i}`) }, status: { filterType: 'set', values: [] } } } });
  cases.push({ name: 'breaks.detail', args: { runId: c.runId, breakId: 2 ** 53 - 1 } });
  cases.push({ name: 'review.history', args: { runId: c.runId, breakId: 2 ** 53 - 1 } });
  cases.push({ name: 'review.decide', args: { runId: c.runId, breakId: 2 ** 53 - 1, kind: 'ACCEPT' } });
  cases.push({ name: 'review.decide', args: { runId: c.runId, breakId: 2, kind: 'OVERRIDE', reason: 'NO_SUCH_CODE', comment: 'x' } });
  for (const maxAbsDelta of ['1e400', '99999999999999999999999999999999999999999', '-0', '.5', '0.0000000000000000000000000000000000001']) {
    cases.push({ name: 'review.bulkPreview', args: { runId: c.runId, filter: { maxAbsDelta } } });
    cases.push({ name: 'review.bulkPreview', args: { runId: c.runId, filter: { delta: maxAbsDelta, field: '*' } } });
  }
  const def = c.definition as Record<string, unknown>;
  for (const name of ['../../../../etc/passwd', '..', '.', '/', 'CON', 'x'.repeat(5000), '\u0000', ' ']) {
    cases.push({ name: 'definitions.save', args: { definition: { ...def, name }, overwrite: false } });
  }
  for (const name of ['..', '.', 'a/../../b', 'x'.repeat(10_001), 'nul', '\u0000', "'; DROP TABLE definitions; --"]) cases.push({ name: 'definitions.get', args: { name } });
  cases.push({ name: 'definitions.get', args: { name: String(def['name']), version: 2 ** 31 } });
  let deep: unknown = {};
  for (let i = 0; i < 2000; i++) deep = { a: deep };
  cases.push({ name: 'runs.start', args: { aPath: c.aPath, bPath: c.aPath, definition: { ...def, description: deep } } });
  cases.push({ name: 'definitions.save', args: { definition: { ...def, fields: Array.from({ length: 2000 }, (_, i) => ({ name: `f${i}`, type: 'string' })) } } });
  for (const source of [{ delimiter: 'xxxx' }, { format: 'xlsx' }, { format: 'parquet' }, { format: 'json' }, { encoding: 'utf-16le' }, { skipRows: 2 ** 53 - 1 }, { skipRows: 1e9 }, { columns: [] }, { header: false, columns: ['a'] }, { quote: '' }, { sheet: 'x'.repeat(10_000) }, { dateFormat: '%Q%Q' }]) {
    cases.push({ name: 'files.preview', args: { path: c.aPath, source } });
  }
  for (const path of [c.dir, c.missing, '/dev/null', '/proc/self/status', '/dev/zero', c.outDir]) {
    cases.push({ name: 'files.preview', args: { path } });
    cases.push({ name: 'runs.export', args: { runId: c.runId, format: 'csv', path, overwrite: true } });
    cases.push({ name: 'audit.export', args: { path, overwrite: true } });
    cases.push({ name: 'definitions.import', args: { path } });
    cases.push({ name: 'definitions.export', args: { definition: c.definition, path, overwrite: true } });
    cases.push({ name: 'definitions.infer', args: { aPath: path, bPath: path } });
    cases.push({ name: 'runs.start', args: { aPath: path, bPath: path, definition: c.definition } });
    cases.push({ name: 'sync.configure', args: { host: '127.0.0.1', port: 1, database: 'recon', user: 'recon', tls: 'require', caFile: path } });
  }
  cases.push({ name: 'audit.list', args: { before: { at: 'x'.repeat(40), deviceId: 'y', seq: 2 ** 53 - 1 } } });
  cases.push({ name: 'audit.list', args: { from: '9999-99-99T99:99:99.999Z', to: '0000-00-00' } });
  cases.push({ name: 'sync.unpark', args: { action: 'retry', fromSeq: 2 ** 53 - 1 } });
  cases.push({ name: 'settings.set', args: { bulkProposalThreshold: 1_000_000_000 } });
  // Connections: secrets in a URL, a header that would break the request, HTTP sources that name their own URL, paths out of the base.
  const http = (extra: Record<string, unknown>) => ({ name: 'connections.save' as const, args: { connection: { name: 'hostile-api', driver: 'http', baseUrl: 'http://127.0.0.1:1/v1', headers: [], ...extra } } });
  cases.push(http({ baseUrl: 'http://user:pw@127.0.0.1:1/' }), http({ baseUrl: 'file:///etc/passwd' }), http({ baseUrl: 'javascript:alert(1)' }));
  cases.push(http({ headers: [{ name: 'Authorization', value: 'Bearer {secret}\r\nX-Injected: 1' }] }), http({ headers: [{ name: 'Bad Name', value: 'x' }] }), http({ headers: [{ name: 'X-Kept', value: null }] }));
  cases.push({ name: 'connections.test', args: { name: 'hostile-api', path: '/../../../etc/passwd' } }, { name: 'connections.test', args: { name: 'hostile-api', path: 'http://169.254.169.254/' } });
  cases.push({ name: 'connections.test', args: { name: 'hostile', path: '/x' } });
  for (const source of [
    { kind: 'http', url: 'http://169.254.169.254/latest/meta-data' },
    { kind: 'http', connection: 'hostile-api', path: '/x', records: '/no/such' },
    { kind: 'http', connection: 'hostile' },
    { kind: 'query', connection: 'hostile-api', sql: 'SELECT 1' },
    { kind: 'query', connection: 'no-such', sql: 'SELECT 1' },
    { kind: 'query', connection: 'hostile', sql: "SELECT 1; DROP TABLE x; --", params: {} },
    { kind: 'query', connection: 'hostile', sql: 'SELECT :missing' },
    {},
  ]) {
    cases.push({ name: 'connections.preview', args: { side: 'b', source, limit: 200 } });
    cases.push({ name: 'runs.start', args: { definition: { ...def, sources: { a: source, b: {} } } } });
  }
  cases.push({ name: 'runs.start', args: { bPath: c.missing, definition: c.definition } });
  // Reason rules reach SQL (engine/rules/compile-sql.ts): record fields that need quoting or are not there, values and
  // patterns aimed at the literal, numbers at the ends of every range, a history on a run without memory.
  const rule = hostileRule(c);
  const conditions: unknown[] = [
    { recordA: { '"; DROP TABLE breaks; --': { equals: "'; --" } } },
    { recordB: { Notional: { pattern: "^(a+)+$" } }, recordA: { __rid: { in: ['0'] } } },
    { valueA: { equals: '\u0000' } },
    { valueB: { in: ['x'.repeat(1000), "'", '\\'], notIn: ['%'] } },
    { valueA: { pattern: '(?=x)' } },
    { valueA: { pattern: '[' } },
    { ratio: { equals: 1e308, tolerance: 1e308 } },
    { delta: { multipleOf: 1e-300, min: -1e308, max: 1e308 } },
    { ratio: { oneOf: [0, -0, 5e-324, 1.7976931348623157e308] } },
    { dayShift: { equals: 2 ** 53, absMax: 2 ** 53 } },
    { history: { lifecycle: ['NEW', 'CARRIED'], minAgeRuns: 2 ** 31, previousReason: 'SAME', previouslyDecided: true } },
    { field: Array.from({ length: 500 }, (_, i) => `f${i}`), diffType: ['MISSING_IN_A', 'DUPLICATE_KEY'] },
  ];
  for (const cond of conditions) {
    cases.push({ name: 'rules.preview', args: { rule: { ...rule, conditions: cond }, runId: c.runId, recentRuns: 30, limit: 1000 } });
    cases.push({ name: 'rules.propose', args: { rule: { ...rule, conditions: cond } } });
  }
  cases.push({ name: 'rules.preview', args: { rule: { ...rule, definition: null } } });
  cases.push({ name: 'rules.preview', args: { proposalId: NO_SUCH_ID, runId: c.runId } });
  cases.push({ name: 'rules.preview', args: { rule, proposalId: NO_SUCH_ID } });
  cases.push({ name: 'rules.draftFromBreaks', args: { runId: c.runId, breakIds: [2 ** 53 - 1], reason: 'TIMING_DIFF' } });
  cases.push({ name: 'rules.draftFromBreaks', args: { runId: c.runId, breakIds: Array.from({ length: 300 }, (_, i) => i + 1), reason: 'NO_SUCH_CODE' } });
  cases.push({ name: 'rules.draftFromBreaks', args: { decisionId: NO_SUCH_ID } });
  // Inference patterns at the edges: a zero or huge factor, an empty or huge value map, a field aimed at SQL.
  for (const pattern of [
    { kind: 'scale', field: 'Notional', value: 0 },
    { kind: 'scale', field: 'Notional', value: 1.7976931348623157e308 },
    { kind: 'business-day-shift', field: 'SettleDate', value: -(2 ** 31) },
    { kind: 'value-map', field: '"; DROP TABLE rules; --', map: {} },
    { kind: 'value-map', field: 'Book', map: Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`a${i}`, `b${i}`])) },
    { kind: 'rounding', field: 'Notional', value: 1 },
  ]) cases.push({ name: 'rules.draftFromInference', args: { pattern } });
  cases.push({ name: 'rules.draftFromBreaks', args: { decisionId: NO_SUCH_ID, runId: c.runId, breakIds: [1], reason: 'TIMING_DIFF' } });
  return cases;
}

/** Every case: whole payloads, one argument at a time (two levels deep), then the targeted ones. */
export function hostileCases(c: HostileContext, huge: number): { name: CallName; args: unknown }[] {
  const base = baselines(c) as Record<CallName, Record<string, unknown>>;
  const values = hostileValues(c, huge);
  const out: { name: CallName; args: unknown }[] = [];
  for (const name of Object.keys(contract) as CallName[]) {
    for (const args of HOSTILE_PAYLOADS) out.push({ name, args });
    out.push({ name, args: { ...base[name], notAnArgument: 1 } });
    for (const [key, value] of Object.entries(base[name])) {
      for (const v of values) out.push({ name, args: { ...base[name], [key]: v } });
      // One level down: each part of a nested object argument (a source, a filter, a definition).
      if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
        for (const sub of Object.keys(value)) {
          for (const v of values) out.push({ name, args: { ...base[name], [key]: { ...(value as Record<string, unknown>), [sub]: v } } });
        }
      }
    }
  }
  return [...out, ...targetedCases(c)];
}

/** Why a reply is not acceptable for hostile input, or null when it is (a valid result, or error data with a known code that is not INTERNAL_ERROR). */
export function replyProblem(name: CallName, reply: unknown): string | null {
  if (reply === null || typeof reply !== 'object' || !('ok' in reply)) return `not a reply: ${JSON.stringify(reply)?.slice(0, 200)}`;
  const r = reply as { ok: boolean; value?: unknown; error?: { code?: unknown; message?: unknown } };
  if (r.ok) {
    const parsed = contract[name].result.safeParse(r.value);
    return parsed.success ? null : `result does not match the contract: ${parsed.error.message.slice(0, 300)}`;
  }
  const code = r.error?.code;
  if (typeof code !== 'string' || !(ERROR_CODES as readonly string[]).includes(code)) return `unknown error code ${String(code)}`;
  if (typeof r.error?.message !== 'string') return 'error without a message';
  if (code === 'INTERNAL_ERROR') return `INTERNAL_ERROR: ${r.error.message.slice(0, 300)}`;
  return null;
}

/** A short label for a case in a failure list. */
export function caseLabel(name: string, args: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(args, (_k, v: unknown) => (typeof v === 'string' && v.length > 40 ? `${v.slice(0, 20)}…(${v.length})` : v)) ?? 'undefined';
  } catch {
    text = String(args);
  }
  return `${name} ${text.length > 240 ? `${text.slice(0, 240)}…` : text}`;
}
