import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ReconError } from '../../errors/recon-error.ts';
import { exportAudit } from '../../store/audit-export.ts';
import { signatureLine } from '../../store/event-signature.ts';
import { verifyTrail, type TrailReport } from '../../workflow/chain-state.ts';
import { openWorkspaceStore } from '../open-store.ts';
import { verifyRemote } from '../../sync/api.ts';
import { recordExportWritten } from '../../workflow/events.ts';
import { currentUser } from '../../workflow/identity.ts';
import { resolveWorkspace } from '../workspace.ts';

export const AUDIT_USAGE = `recon audit verify|export [--workspace DIR] [--json]

  recon audit verify              walks every device's hash chain; exit 1 and the first
                                  broken link if an event was edited, deleted, inserted or reordered
  recon audit verify --remote     the same on the team server's copy (recon sync configure first)
  recon audit export --out FILE   writes the trail as NDJSON (one canonical event per line;
                                  hash = sha256 of the line without "hash")`;

/** `recon audit …`: verify the tamper-evident trail or export it. */
export async function auditCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { workspace: { type: 'string' }, json: { type: 'boolean', default: false }, out: { type: 'string' }, remote: { type: 'boolean', default: false } },
    allowPositionals: true,
    strict: true,
  });
  const sub = positionals[0];
  if (sub !== 'verify' && sub !== 'export') {
    process.stderr.write(`unknown or missing audit command${sub ? ` "${sub}"` : ''}\n\n${AUDIT_USAGE}\n`);
    return 2;
  }
  const store = openWorkspaceStore(resolveWorkspace(values.workspace));
  try {
    switch (sub) {
      case 'verify': {
        const report: TrailReport = values.remote ? await verifyRemote(store) : verifyTrail(store);
        if (values.json) {
          process.stdout.write(`${JSON.stringify(report.ok ? report : { ...report, code: 'AUDIT_CHAIN_BROKEN' satisfies ReconError['code'] }, null, 2)}\n`);
        } else if (report.ok) {
          process.stdout.write(`${values.remote ? 'team server ' : ''}audit chain ok: ${report.events} events on ${report.devices.length} device(s)\n${report.devices.map(deviceLine).join('')}`);
          if (report.stateBeforeAnchor) {
            process.stdout.write(`  ${report.stateBeforeAnchor} decision(s) and verdict(s) pulled as open items rest on events not pulled: checked by recon audit verify --remote, or here after recon sync pull --history\n`);
          }
          if (report.signatures) process.stdout.write(`${signatureLine(report.signatures)}\n`);
        } else {
          const b = report.firstBreak!;
          process.stdout.write(`AUDIT CHAIN BROKEN [${b.problem}] device ${b.deviceId}, seq ${b.seq}${b.eventId ? `, event ${b.eventId}` : ''}\n  ${b.message}\n`);
          for (const p of report.stateProblems ?? []) process.stdout.write(`  ${p.table} ${p.key}: ${p.message}\n`);
          if (report.signatures) {
            process.stdout.write(`${signatureLine(report.signatures)}\n`);
            for (const f of report.signatures.failures) process.stdout.write(`  [${f.problem}] device ${f.deviceId} seq ${f.seq}: ${f.message}\n`);
          }
        }
        return report.ok ? 0 : 1;
      }
      case 'export': {
        if (!values.out) throw new ReconError('INVALID_ARGUMENT', 'recon audit export needs --out FILE');
        const out = resolve(values.out);
        const events = await exportAudit(store, out);
        const sha256 = createHash('sha256').update(await readFile(out)).digest('hex');
        // Recorded after the file is complete, so the export does not contain its own event.
        recordExportWritten(store, currentUser(), { kind: 'audit', path: out, sha256, rows: events });
        process.stdout.write(values.json ? `${JSON.stringify({ out, events, sha256 })}\n` : `wrote ${events} audit events to ${out}\n`);
        return 0;
      }
    }
  } finally {
    store.close();
  }
}

// A chain held from an anchor (a windowed team pull) says what was checked and what was not pulled: not a failure.
function deviceLine(d: TrailReport['devices'][number]): string {
  if (!d.anchor) return `  ${d.deviceId}: seq 1..${d.headSeq}, head ${d.headHash.slice(0, 16)}…\n`;
  const checked = d.headSeq > d.anchor.seq ? `seq ${d.anchor.seq + 1}..${d.headSeq} checked` : 'no event after the anchor yet';
  return (
    `  ${d.deviceId}: ${checked}, from the anchor seq ${d.anchor.seq} (hash ${d.anchor.hash.slice(0, 16)}… as the team server gave it), head ${d.headHash.slice(0, 16)}…\n` +
    `    seq 1..${d.anchor.seq} (before ${d.anchor.since.slice(0, 10)}) not pulled, so not checked here: recon sync pull --history\n`
  );
}
