/**
 * Sandboxed preload: exposes one named function per contract call, never a
 * raw invoke(channel). It is bundled to one CommonJS file because a sandboxed
 * preload can require nothing but 'electron' and a few polyfilled modules; it
 * imports only the zod-free call names and types from the contract.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { ReconApi } from '../../engine/contract/api.ts';
import type { CallArgs, CallResult, ContractEvent, Reply } from '../../engine/contract/index.ts';
import type { CallName } from '../../engine/contract/names.ts';
import { callChannel, EVENT_CHANNEL } from '../shared/ipc-channels.ts';

/** The main process validates `args` against the contract before any handler runs. */
function invoke<K extends CallName>(name: K) {
  return (args: CallArgs<K>): Promise<Reply<CallResult<K>>> => ipcRenderer.invoke(callChannel(name), args) as Promise<Reply<CallResult<K>>>;
}

const api = {
  calls: {
    'app.version': invoke('app.version'),
    'runs.list': invoke('runs.list'),
    'runs.get': invoke('runs.get'),
    'runs.start': invoke('runs.start'),
    'runs.cancel': invoke('runs.cancel'),
    'runs.ageing': invoke('runs.ageing'),
    'series.list': invoke('series.list'),
    'series.get': invoke('series.get'),
    'files.preview': invoke('files.preview'),
    'files.choose': invoke('files.choose'),
    'definitions.list': invoke('definitions.list'),
    'definitions.get': invoke('definitions.get'),
    'definitions.save': invoke('definitions.save'),
    'definitions.import': invoke('definitions.import'),
    'definitions.export': invoke('definitions.export'),
    'breaks.page': invoke('breaks.page'),
    'breaks.facets': invoke('breaks.facets'),
    'breaks.detail': invoke('breaks.detail'),
    'breaks.largest': invoke('breaks.largest'),
    'breaks.history': invoke('breaks.history'),
    'matching.groups': invoke('matching.groups'),
    'matching.groupRows': invoke('matching.groupRows'),
    'matching.unmatched': invoke('matching.unmatched'),
    'matching.candidates': invoke('matching.candidates'),
    'matching.preview': invoke('matching.preview'),
    'matching.match': invoke('matching.match'),
    'matching.unmatch': invoke('matching.unmatch'),
    'matching.actions': invoke('matching.actions'),
    'matching.decide': invoke('matching.decide'),
    'matching.withdraw': invoke('matching.withdraw'),
    'review.decide': invoke('review.decide'),
    'review.bulkPreview': invoke('review.bulkPreview'),
    'review.bulk': invoke('review.bulk'),
    'review.history': invoke('review.history'),
    'approvals.list': invoke('approvals.list'),
    'approvals.decide': invoke('approvals.decide'),
    'approvals.breaks': invoke('approvals.breaks'),
    'approvals.withdraw': invoke('approvals.withdraw'),
    'audit.list': invoke('audit.list'),
    'audit.verify': invoke('audit.verify'),
    'audit.export': invoke('audit.export'),
    'users.me': invoke('users.me'),
    'users.list': invoke('users.list'),
    'users.add': invoke('users.add'),
    'users.grant': invoke('users.grant'),
    'users.revoke': invoke('users.revoke'),
    'reasons.list': invoke('reasons.list'),
    'reasons.add': invoke('reasons.add'),
    'reasons.retire': invoke('reasons.retire'),
    'reasons.setSla': invoke('reasons.setSla'),
    'rules.list': invoke('rules.list'),
    'rules.versions': invoke('rules.versions'),
    'rules.propose': invoke('rules.propose'),
    'rules.retire': invoke('rules.retire'),
    'rules.proposals': invoke('rules.proposals'),
    'rules.approve': invoke('rules.approve'),
    'rules.reject': invoke('rules.reject'),
    'rules.withdraw': invoke('rules.withdraw'),
    'rules.preview': invoke('rules.preview'),
    'rules.draftFromBreaks': invoke('rules.draftFromBreaks'),
    'rules.draftFromInference': invoke('rules.draftFromInference'),
    'rules.agreement': invoke('rules.agreement'),
    'model.info': invoke('model.info'),
    'model.retrain': invoke('model.retrain'),
    'model.cancel': invoke('model.cancel'),
    'model.promote': invoke('model.promote'),
    'settings.get': invoke('settings.get'),
    'settings.set': invoke('settings.set'),
    'sync.status': invoke('sync.status'),
    'sync.configure': invoke('sync.configure'),
    'sync.login': invoke('sync.login'),
    'sync.forget': invoke('sync.forget'),
    'sync.now': invoke('sync.now'),
    'sync.unpark': invoke('sync.unpark'),
    'inbox.list': invoke('inbox.list'),
    'inbox.acknowledge': invoke('inbox.acknowledge'),
    'connections.list': invoke('connections.list'),
    'connections.save': invoke('connections.save'),
    'connections.remove': invoke('connections.remove'),
    'connections.setPassword': invoke('connections.setPassword'),
    'connections.forgetPassword': invoke('connections.forgetPassword'),
    'connections.test': invoke('connections.test'),
    'connections.preview': invoke('connections.preview'),
    'definitions.infer': invoke('definitions.infer'),
    'runs.export': invoke('runs.export'),
    'tasks.cancel': invoke('tasks.cancel'),
  },
  onEvent(listener: (event: ContractEvent) => void) {
    const forward = (_e: IpcRendererEvent, event: ContractEvent): void => listener(event);
    ipcRenderer.on(EVENT_CHANNEL, forward);
    return () => {
      ipcRenderer.removeListener(EVENT_CHANNEL, forward);
    };
  },
} satisfies ReconApi;

contextBridge.exposeInMainWorld('recon', api);
