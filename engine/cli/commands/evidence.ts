import { parseArgs } from 'node:util';
import { verifyEvidencePack } from '../../report/evidence-verify.ts';
import { workspaceSigningKey } from '../../report/keys.ts';
import { resolveWorkspace } from '../workspace.ts';

export const EVIDENCE_USAGE = `recon evidence verify PACK [--a FILE --b FILE] [--public-key PEM] [--json]
recon evidence key [--workspace DIR]

  verify   checks the pack's Ed25519 signature (with the key inside it, or against a
           public key you trust), and, given the input files, their SHA-256 against the
           recorded ones. Needs nothing but the files. Exit 0 when everything matches,
           1 when anything does not, 2 for an unreadable pack.
  key      prints this workspace's public signing key and its fingerprint, to publish`;

/** `recon evidence …`: verify a pack, or show the workspace's signing key. */
export async function evidenceCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      a: { type: 'string' },
      b: { type: 'string' },
      'public-key': { type: 'string' },
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
  const report = await verifyEvidencePack(pack, {
    ...(values.a ? { aPath: values.a } : {}),
    ...(values.b ? { bPath: values.b } : {}),
    ...(values['public-key'] ? { trustedKeyPath: values['public-key'] } : {}),
  });
  if (values.json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    const lines = [
      `${report.ok ? 'VERIFIED' : 'NOT VERIFIED'}: evidence pack of run ${report.runId ?? '?'}`,
      `  signature: ${report.signatureValid ? 'valid' : 'INVALID'} (Ed25519 key ${report.keyFingerprint || '?'}${report.trustedKey === undefined ? ', the key embedded in the pack' : report.trustedKey ? ', the trusted key' : ', NOT the trusted key'})`,
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
