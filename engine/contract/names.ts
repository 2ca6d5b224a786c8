/**
 * The call names, without zod, for code that must stay tiny: the sandboxed
 * preload bundles this file and builds one named function per entry. The
 * contract (index.ts) checks at compile time that this list and its call
 * table hold exactly the same names.
 */
export const CALL_NAMES = [
  'app.version',
  'runs.list',
  'runs.get',
  'runs.start',
  'runs.cancel',
  'runs.ageing',
  'series.list',
  'series.get',
  'files.preview',
  'files.choose',
  'definitions.list',
  'definitions.get',
  'definitions.save',
  'definitions.import',
  'definitions.export',
  'breaks.page',
  'breaks.facets',
  'breaks.detail',
  'breaks.largest',
  'breaks.history',
  'matching.groups',
  'matching.groupRows',
  'matching.unmatched',
  'matching.candidates',
  'matching.preview',
  'matching.match',
  'matching.unmatch',
  'matching.actions',
  'matching.decide',
  'matching.withdraw',
  'review.decide',
  'review.bulkPreview',
  'review.bulk',
  'review.history',
  'approvals.list',
  'approvals.decide',
  'approvals.breaks',
  'approvals.withdraw',
  'audit.list',
  'audit.verify',
  'audit.export',
  'users.me',
  'users.list',
  'users.add',
  'users.grant',
  'users.revoke',
  'reasons.list',
  'reasons.add',
  'reasons.retire',
  'reasons.setSla',
  'model.info',
  'model.retrain',
  'model.promote',
  'settings.get',
  'settings.set',
  'definitions.infer',
  'runs.export',
  'tasks.cancel',
  'sync.status',
  'sync.configure',
  'sync.login',
  'sync.forget',
  'sync.now',
  'sync.unpark',
] as const;

export type CallName = (typeof CALL_NAMES)[number];

/** True when `name` is a call of the contract. */
export function isCallName(name: unknown): name is CallName {
  return typeof name === 'string' && (CALL_NAMES as readonly string[]).includes(name);
}
