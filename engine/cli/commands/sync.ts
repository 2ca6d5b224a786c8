import { parseArgs } from 'node:util';
import type { Store } from '../../store/open.ts';
import { openWorkspaceStore } from '../open-store.ts';
import { signatureLine } from '../../store/event-signature.ts';
import { initServer, probeServer, recoverRestored, syncHistory, syncOnce, verifyRemote } from '../../sync/api.ts';
import { describeServer, parseConnectionSettings, type ConnectionSettings, type TlsMode } from '../../sync/connection.ts';
import { forgetPassword, keychainStatus, osKeychain, storePassword } from '../../sync/credentials.ts';
import { SyncError } from '../../sync/errors.ts';
import { clearParked, readConnection, saveConnection } from '../../sync/local-state.ts';
import { readPassword } from '../../sync/read-password.ts';
import { readScope, saveScope } from '../../sync/pull-scope.ts';
import { readSyncStatus, type SyncStatus } from '../../sync/status.ts';
import { conflictLine, listConflicts } from '../../sync/lost-breaks.ts';
import { currentUser } from '../../workflow/identity.ts';
import { resolveWorkspace } from '../workspace.ts';

export const SYNC_USAGE = `recon sync configure|login|logout|init|status|push|pull|run|verify|unpark|recover [--workspace DIR] [--json]

  recon sync configure --host H --database D --user U [--port 5432] [--tls disable|require|verify-full] [--ca FILE]
                          the team server, saved in the workspace settings (never the password); admin only
  recon sync login        stores the password in the OS keychain (prompted, or the first line of stdin);
                          fails when no keychain is available: it is never written to disk. Scripts may set PGPASSWORD.
  recon sync logout       removes it from the keychain
  recon sync init [--admin-user U]   creates or upgrades the server schema, as its owner (engine/sync/README.md)
  recon sync status [--probe]        queue, last sync, parked events; --probe also tries the server
  recon sync push | pull | run       one push, one pull, or one full cycle (push, evidence, pull)
  recon sync pull [--days N] [--recon NAME]...
                                     a first pull brings roles, definitions, every open item and the last
                                     N days of history (default: the workspace's window, 30 days; 0 = all),
                                     of the named recons only if given; later pulls are incremental
  recon sync pull --history [--since DATE] [--recon NAME]...
                                     older history: every chain's events from DATE (or the start), checked
                                     into what was pulled before, and the older runs (of the named recons)
  recon sync window [--days N] [--recon NAME]... [--all-recons]
                                     shows or sets (admin) the workspace's pull window
  recon sync verify                  checks the server's copy of every device's audit chain (= recon audit verify --remote)
  recon sync unpark [--seq N]        clears parked events (an invalid one is then tried again)
  recon sync recover                 a restored or copied workspace (status says so) continues as a new device:
                                     the acts the team server lacks are queued again under it; admin only`;

const OPTIONS = {
  workspace: { type: 'string' },
  json: { type: 'boolean', default: false },
  host: { type: 'string' },
  port: { type: 'string' },
  database: { type: 'string' },
  user: { type: 'string' },
  tls: { type: 'string' },
  ca: { type: 'string' },
  'admin-user': { type: 'string' },
  probe: { type: 'boolean', default: false },
  seq: { type: 'string' },
  history: { type: 'boolean', default: false },
  since: { type: 'string' },
  days: { type: 'string' },
  recon: { type: 'string', multiple: true },
  'all-recons': { type: 'boolean', default: false },
} as const;

const SUBCOMMANDS = ['configure', 'login', 'logout', 'init', 'status', 'push', 'pull', 'run', 'verify', 'unpark', 'recover', 'window'];
// Settings mistakes are the user's input (exit 2); the rest is the environment (exit 1).
const INPUT_CODES = new Set(['SYNC_INVALID_SETTINGS', 'SYNC_NOT_CONFIGURED', 'SYNC_NO_PASSWORD']);

type Values = ReturnType<typeof parse>['values'];
const parse = (argv: string[]) => parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });

/** `recon sync …`: team sync from the command line. */
export async function syncCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv);
  const sub = positionals[0];
  if (sub === undefined || !SUBCOMMANDS.includes(sub)) {
    process.stderr.write(`unknown or missing sync command${sub ? ` "${sub}"` : ''}\n\n${SYNC_USAGE}\n`);
    return 2;
  }
  const store = openWorkspaceStore(resolveWorkspace(values.workspace));
  try {
    return await dispatch(store, sub, values);
  } catch (err) {
    if (!(err instanceof SyncError)) throw err;
    if (values.json) process.stdout.write(`${JSON.stringify({ error: err.toData() })}\n`);
    process.stderr.write(`error [${err.code}]: ${err.message}\n`);
    return INPUT_CODES.has(err.code) ? 2 : 1;
  } finally {
    store.close();
  }
}

async function dispatch(store: Store, sub: string, v: Values): Promise<number> {
  const print = (value: unknown, text: string): number => {
    process.stdout.write(v.json ? `${JSON.stringify(value, null, 2)}\n` : text);
    return 0;
  };
  switch (sub) {
    case 'configure': {
      // Admin only, as every workspace setting and as the UI's sync.configure.
      const saved = saveConnection(store, currentUser(), parseConnectionSettings({
        host: v.host,
        port: v.port === undefined ? 5432 : Number(v.port),
        database: v.database,
        user: v.user,
        tls: (v.tls ?? 'verify-full') as TlsMode,
        caFile: v.ca ?? null,
      }), { adminOnly: true });
      return print(saved, `team server: ${describeServer(saved)} (tls ${saved.tls}${saved.caFile ? `, CA ${saved.caFile}` : ''})\nnext: recon sync login\n`);
    }
    case 'login': {
      const settings = requireConnection(store);
      const keychain = osKeychain();
      // Fail before asking for a password that could not be kept.
      const probe = keychainStatus(settings, keychain);
      if (!probe.available) throw new SyncError('SYNC_KEYCHAIN_UNAVAILABLE', probe.message);
      storePassword(settings, await readPassword(`password for ${describeServer(settings)}: `), keychain);
      return print(
        { stored: true, account: describeServer(settings), signedInAs: settings.user },
        `signed in as ${settings.user}: password for ${describeServer(settings)} stored in the OS keychain\n`,
      );
    }
    case 'logout': {
      const removed = forgetPassword(requireConnection(store));
      return print({ removed }, removed ? 'password removed from the OS keychain\n' : 'no password was stored\n');
    }
    case 'init': {
      const r = await initServer(store, v['admin-user'] ? { user: v['admin-user'] } : {});
      return print(r, r.applied.length ? `server schema migrated to version ${r.version} (applied ${r.applied.join(', ')})\n` : `server schema is current (version ${r.version})\n`);
    }
    case 'status': {
      const settings = readConnection(store);
      const probe = v.probe && settings ? await probeServer(store) : null;
      const status = readSyncStatus(store, probe ? (probe.online ? { state: 'online' } : { state: 'offline', lastError: { ...probe.error, at: new Date().toISOString() } }) : {});
      const keychain = settings ? keychainStatus(settings) : null;
      // This workspace's decisions and proposals that lost breaks to other devices, until dismissed in the app.
      const conflicts = listConflicts(store).map((c) => ({ decisionId: c.decisionId, runId: c.runId, lostBreakIds: c.lostBreakIds, line: conflictLine(c) }));
      return print(
        { ...status, deviceId: store.deviceId, keychain, schemaVersion: probe?.online ? probe.schemaVersion : null, conflicts },
        formatStatus(status, keychain?.message ?? null, store.deviceId, conflicts.map((c) => c.line)),
      );
    }
    case 'window': {
      if (v.days === undefined && v.recon === undefined && !v['all-recons']) {
        const scope = store.read((tx) => readScope(tx));
        return print(scope, `pull window: ${scope.days === 0 ? 'the whole history' : `${scope.days} days`}; recons: ${scope.recons?.join(', ') ?? 'all'}\n`);
      }
      const before = store.read((tx) => readScope(tx));
      const scope = saveScope(store, currentUser(), { days: v.days === undefined ? before.days : wholeDays(v.days), recons: v['all-recons'] ? null : (v.recon ?? before.recons) });
      return print(scope, `pull window set: ${scope.days === 0 ? 'the whole history' : `${scope.days} days`}; recons: ${scope.recons?.join(', ') ?? 'all'} (a first pull uses it)\n`);
    }
    case 'push':
    case 'pull':
    case 'run': {
      if (sub === 'pull' && v.history) {
        const r = await syncHistory(store, { since: v.since === undefined ? null : isoDate(v.since), ...(v.recon ? { recons: v.recon } : {}) });
        return print(
          r,
          `history: ${r.history.events} older events on ${r.history.devices.length} device chain(s), each checked into its anchor` +
            `${r.history.devices.some((d) => !d.complete) ? '' : r.history.devices.length > 0 ? ' (now held from seq 1)' : ''}; ` +
            `${r.pull.runs} runs, ${r.pull.decisions} decisions, ${r.pull.approvals} approvals\n`,
        );
      }
      const pullOptions = sub === 'pull' && (v.days !== undefined || v.recon !== undefined) ? { scope: { ...(v.days !== undefined ? { days: wholeDays(v.days) } : {}), ...(v.recon ? { recons: v.recon } : {}) } } : {};
      const r = await syncOnce(store, sub, { pullOptions });
      const parts = [
        r.push ? `pushed ${r.push.acknowledged} events in ${r.push.batches} batches (server holds seq ${r.push.serverSeq})${r.push.parked ? `, ${r.push.parked} parked` : ''}` : null,
        r.pulledEvents !== undefined ? `pulled ${r.pulledEvents} events from other devices` : null,
        r.pull ? `${r.pull.decisions} decisions, ${r.pull.approvals} approvals, ${r.pull.runs} runs, ${r.pull.roleChanges} role changes` : null,
      ].filter((x): x is string => x !== null);
      const blocked = r.push?.blockedFrom;
      return print(r, `${parts.join('; ')}\n${blocked ? `WAITING: seq ${blocked} onward is parked as invalid (recon sync status)\n` : ''}`);
    }
    case 'verify': {
      const report = await verifyRemote(store);
      const sigs = report.signatures ? `${signatureLine(report.signatures)}\n${report.ok ? '' : report.signatures.failures.map((f) => `  [${f.problem}] device ${f.deviceId} seq ${f.seq}: ${f.message}\n`).join('')}` : '';
      print(report, `${report.ok ? `team server audit chain ok: ${report.events} events on ${report.devices.length} device(s)\n` : `TEAM SERVER AUDIT CHAIN BROKEN [${report.firstBreak!.problem}] ${report.firstBreak!.message}\n`}${sigs}`);
      return report.ok ? 0 : 1;
    }
    case 'unpark': {
      const n = clearParked(store, { deviceId: store.deviceId, ...(v.seq ? { fromSeq: Number(v.seq) } : {}) });
      return print({ cleared: n }, `cleared ${n} parked item(s)\n`);
    }
    case 'recover': {
      // Admin only, like configure. The store still holds the old device id in memory; the command ends here and closes it.
      const r = await recoverRestored(store, currentUser());
      return print(
        r,
        `this workspace is now device ${r.newDeviceId} (was ${r.oldDeviceId}, which the server holds up to its own seq; both chains stay as they are)\n` +
          `queued again: ${r.requeued.length} event(s) the team server lacked (old seq ${r.requeued.map((x) => x.fromSeq).join(', ') || '-'}); next: recon sync run\n`,
      );
    }
    default:
      return 2;
  }
}

function wholeDays(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 0) throw new SyncError('SYNC_INVALID_SETTINGS', `--days takes a whole number of days ≥ 0, not "${text}"`);
  return n;
}

// A date (2026-11-07) or a full timestamp; event times are ISO-8601 UTC text.
function isoDate(text: string): string {
  const t = Date.parse(text);
  if (!Number.isFinite(t)) throw new SyncError('SYNC_INVALID_SETTINGS', `--since takes a date such as 2026-11-07, not "${text}"`);
  return new Date(t).toISOString();
}

function requireConnection(store: Store): ConnectionSettings {
  const s = readConnection(store);
  if (!s) throw new SyncError('SYNC_NOT_CONFIGURED', 'no team server is configured for this workspace: recon sync configure --host H --database D --user U');
  return s;
}

function formatStatus(s: SyncStatus, keychain: string | null, deviceId: string, conflicts: string[]): string {
  if (!s.configured) return 'team sync: not configured (recon sync configure)\n';
  const lines = [
    `team server: ${s.server} — ${s.state}${s.restored ? ' — BLOCKED: restored or copied workspace' : ''}${s.lastError ? ` [${s.lastError.code}] ${s.lastError.message}` : ''}`,
    `signed in as: ${s.signedInAs}`,
    // What an admin names when binding this workstation to a login (recon.devices, engine/sync/README.md).
    `device: ${deviceId}`,
    `queue: ${s.queueLength} event(s) waiting${s.serverSeq !== null ? `; server holds up to seq ${s.serverSeq}` : ''}`,
    `last sync: ${s.lastSyncAt ?? 'never'} (push ${s.lastPushAt ?? 'never'}, pull ${s.lastPullAt ?? 'never'})`,
    `keychain: ${keychain ?? 'n/a'}`,
    s.parked.length === 0 ? 'parked: none' : `parked: ${s.parked.length}`,
    ...s.parked.map((p) => `  ${p.kind} seq ${p.fromSeq}${p.toSeq !== p.fromSeq ? `..${p.toSeq}` : ''} [${p.code}] ${p.message}`),
    ...(conflicts.length === 0 ? [] : [`lost to other devices: ${conflicts.length}`, ...conflicts.map((c) => `  ${c}`)]),
  ];
  if (s.window) lines.push(windowLine(s.window));
  if (s.restored) lines.push(`RESTORED [WORKSPACE_RESTORED]: ${s.restored.message}`);
  else if (s.blockedFromSeq !== null) lines.push(`WAITING: events from seq ${s.blockedFromSeq} cannot be chained on the server; fix the cause, then recon sync unpark`);
  return `${lines.join('\n')}\n`;
}

function windowLine(w: NonNullable<SyncStatus['window']>): string {
  const recons = w.recons ? ` (recons ${w.recons.join(', ')})` : '';
  if (!w.done) return `history window: from ${w.since.slice(0, 10)}${recons}; the first pull has not completed yet (recon sync pull)`;
  if (w.notPulledEvents === 0) return `history window: from ${w.since.slice(0, 10)}${recons}; every other device's chain is held whole`;
  const before = (w.historyBefore ?? w.since).slice(0, 10);
  return `history window: from ${w.since.slice(0, 10)}${recons}; history before ${before} not pulled: ${w.notPulledEvents.toLocaleString('en-US')} events on ${w.anchoredDevices} device(s); recon sync pull --history`;
}
