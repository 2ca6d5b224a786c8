import { parseArgs } from 'node:util';
import { verifyEvidencePack } from '../../report/evidence-verify.ts';
import { readFile } from 'node:fs/promises';
import { ReconError } from '../../errors/recon-error.ts';
import { workspaceSigningKey, workspaceTrustedKeys } from '../../report/keys.ts';
import { resolveWorkspace } from '../workspace.ts';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { openStore, STORE_FILE } from '../../store/open.ts';
import { teamKeys } from '../../sync/team-keys.ts';

export const EVIDENCE_USAGE = `recon evidence verify PACK [--a FILE --b FILE] [--public-key PEM]... [--trusted-keys PEMS]... [--workspace DIR] [--json]
recon evidence key [--workspace DIR]

  verify   checks the pack's Ed25519 signature and that a key you trust made it, and,
           given the input files, their SHA-256 against the recorded ones. Trusted keys:
           --public-key (a PEM file), --trusted-keys (a file of one or more PEM keys: the
           organisation's pinned keys), --workspace (that workspace's own key, its
           keys/trusted-keys.pem, and the team's keys published through team sync, each
           named with the login that published it). The key inside the pack is never trusted on its own:
           a valid signature by any other key is "signer unknown". Exit 0 when everything
           matches, 1 when anything does not, 2 for an unreadable pack or key file.
  key      prints this workspace's public signing key and its fingerprint, to publish`;

/** `recon evidence …`: verify a pack, or show the workspace's signing key. */
export async function evidenceCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      a: { type: 'string' },
      b: { type: 'string' },
      'public-key': { type: 'string', multiple: true },
      'trusted-keys': { type: 'string', multiple: true },
      workspace: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
    allowPositionals: true,
    strict: true,
  });
  const [sub, pack] = positionals;
  if (sub === 'key' && positionals.length === 1) {
    const key = await workspaceSigningKey(resolveWorkspace(values.workspace));
    process.stdout.write(values.json ? `${JSON.stringify({ fingerprint: key.fingerprint, publicKey: key.publicPem, created: key.created })}\n` : `${key.publicPem}sha256 fingerprint ${key.fingerprint}\n`);
    return 0;
  }
  if (sub !== 'verify' || !pack || positionals.length > 2) {
    process.stderr.write(`${EVIDENCE_USAGE}\n`);
    return 2;
  }
  const trustedKeys = [
    ...(await Promise.all([...(values['public-key'] ?? []), ...(values['trusted-keys'] ?? [])].map(async (path) => ({ pem: await readKeyFile(path), source: path })))),
    ...(values.workspace ? await workspaceTrustedKeys(resolveWorkspace(values.workspace)) : []),
    ...(values.workspace ? publishedTeamKeys(resolveWorkspace(values.workspace)) : []),
  ];
  const report = await verifyEvidencePack(pack, {
    ...(values.a ? { aPath: values.a } : {}),
    ...(values.b ? { bPath: values.b } : {}),
    trustedKeys,
  });
  if (values.json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    const lines = [
      `${report.ok ? 'VERIFIED' : 'NOT VERIFIED'}: evidence pack of run ${report.runId ?? '?'}`,
      `  signature: ${report.signatureValid ? 'valid' : 'INVALID'} (Ed25519 key ${report.keyFingerprint || '?'})`,
      `  signer: ${report.signer ?? `UNKNOWN (${report.trustedKeys === 0 ? 'no trusted key given' : `none of ${report.trustedKeys} trusted key(s)`})`}`,
      ...(['a', 'b'] as const).flatMap((s) => {
        const c = report.inputs[s];
        return c ? [`  source ${s.toUpperCase()}: ${c.ok ? 'matches' : 'DIFFERS'} (${c.path}, sha256 ${c.actual})`] : [];
      }),
      ...report.problems.map((p) => `  ✗ ${p}`),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  return report.ok ? 0 : 1;
}

async function readKeyFile(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    throw new ReconError('INPUT_NOT_FOUND', `${path}: trusted key file not found`, { file: path });
  }
}

// The keys team sync pulled into the workspace (sync/team-keys.ts), each named by who published it. No workspace store: none.
function publishedTeamKeys(workspace: string): { pem: string; source: string }[] {
  if (!existsSync(join(workspace, STORE_FILE))) return [];
  const store = openStore(workspace);
  try {
    return teamKeys(store).map((k) => ({ pem: k.publicPem, source: `team key published by ${k.publishedBy} from device ${k.deviceId} on ${k.publishedAt}` }));
  } finally {
    store.close();
  }
}
