import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { ReconError } from '../errors/recon-error.ts';
import { sha256File } from '../ingest/source-file.ts';
import { canonicalJson } from '../store/canonical-json.ts';
import { EVIDENCE_FORMAT, type EvidenceSignature } from './evidence.ts';
import { fingerprintOf } from './keys.ts';

/**
 * Checks an evidence pack with nothing but the file: the Ed25519 signature
 * over its canonical JSON, optionally the key against one the auditor trusts,
 * and, given the input files, their SHA-256 against the ones recorded.
 */
export interface VerifyOptions {
  aPath?: string;
  bPath?: string;
  /** A public key (PEM file) the auditor trusts. */
  trustedKeyPath?: string;
  /**
   * More trusted public keys, PEM text (a file may hold several), each with
   * where it came from: the organisation's pinned keys, a workspace's own key.
   * A pack is VERIFIED only when one of the trusted keys signed it: the key
   * inside a pack proves nothing on its own (anyone can re-sign an edited pack
   * with a key of their own and embed it).
   */
  trustedKeys?: readonly { pem: string; source: string }[];
}

/** Every public key in a PEM text (a bundle may hold several), or an error naming `source`. */
export function publicKeysOf(pem: string, source: string): KeyObject[] {
  const blocks = pem.match(/-----BEGIN PUBLIC KEY-----[\s\S]*?-----END PUBLIC KEY-----/g) ?? [];
  if (blocks.length === 0) throw new ReconError('INPUT_PARSE_ERROR', `${source}: no PEM public key in it`, { file: source });
  return blocks.map((b) => {
    try {
      return createPublicKey(b);
    } catch (err) {
      throw new ReconError('INPUT_PARSE_ERROR', `${source}: not a public key (${(err as Error).message})`, { file: source });
    }
  });
}

export interface InputCheck {
  path: string;
  expected: string;
  actual: string;
  ok: boolean;
}

export interface VerifyReport {
  ok: boolean;
  signatureValid: boolean;
  keyFingerprint: string;
  /** Whether one of the trusted keys signed the pack (false, too, when none was given). */
  trustedKey: boolean;
  /** Where the trusted key that signed it came from; null when the signer is unknown. */
  signer: string | null;
  /** How many trusted keys were checked against. */
  trustedKeys: number;
  inputs: { a?: InputCheck; b?: InputCheck };
  runId: string | null;
  problems: string[];
}

/** Verifies a pack file. Throws only for unreadable input (not JSON, not a pack). */
export async function verifyEvidencePack(packPath: string, opts: VerifyOptions = {}): Promise<VerifyReport> {
  let pack: Record<string, unknown>;
  try {
    pack = JSON.parse(await readFile(packPath, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
    throw new ReconError(missing ? 'INPUT_NOT_FOUND' : 'INPUT_PARSE_ERROR', `${packPath}: ${missing ? 'no such file' : `not a JSON evidence pack (${(err as Error).message})`}`, { file: packPath });
  }
  const sig = pack['signature'] as EvidenceSignature | undefined;
  if (pack['format'] !== EVIDENCE_FORMAT || !sig || sig.algorithm !== 'Ed25519' || typeof sig.value !== 'string' || typeof sig.publicKey !== 'string') {
    throw new ReconError('INPUT_PARSE_ERROR', `${packPath}: not a ${EVIDENCE_FORMAT} pack with an Ed25519 signature`, { file: packPath });
  }
  const problems: string[] = [];
  const { signature: _omit, ...body } = pack;
  void _omit;
  let signatureValid = false;
  let keyFingerprint = '';
  try {
    const key = createPublicKey(sig.publicKey);
    keyFingerprint = fingerprintOf(key);
    signatureValid = verify(null, Buffer.from(canonicalJson(body), 'utf8'), key, Buffer.from(sig.value, 'base64'));
  } catch (err) {
    problems.push(`the signature cannot be checked: ${(err as Error).message}`);
  }
  if (!signatureValid && problems.length === 0) problems.push('the signature does not match the content: the pack was changed after it was signed');
  if (keyFingerprint && sig.keyFingerprint !== keyFingerprint) problems.push('the recorded key fingerprint does not match the embedded key');

  const sources = [...(opts.trustedKeys ?? [])];
  if (opts.trustedKeyPath) {
    let pem: string;
    try {
      pem = await readFile(opts.trustedKeyPath, 'utf8');
    } catch {
      throw new ReconError('INPUT_NOT_FOUND', `${opts.trustedKeyPath}: trusted key file not found`, { file: opts.trustedKeyPath });
    }
    sources.push({ pem, source: opts.trustedKeyPath });
  }
  const trusted = sources.flatMap(({ pem, source }) => publicKeysOf(pem, source).map((k) => ({ fingerprint: fingerprintOf(k), source })));
  const signer = trusted.find((t) => t.fingerprint === keyFingerprint)?.source ?? null;
  const trustedKey = signer !== null;
  if (signatureValid && !trustedKey) {
    problems.push(
      trusted.length === 0
        ? `signature valid, signer unknown: key ${keyFingerprint.slice(0, 16)}… is only the one inside the pack; give the keys you trust (--public-key, --trusted-keys or --workspace)`
        : `signature valid, signer unknown: key ${keyFingerprint.slice(0, 16)}… is none of the ${trusted.length} trusted key(s)`,
    );
  }

  const inputs: VerifyReport['inputs'] = {};
  const recorded = pack['inputs'] as { a?: { sha256?: string }; b?: { sha256?: string } } | undefined;
  for (const side of ['a', 'b'] as const) {
    const path = side === 'a' ? opts.aPath : opts.bPath;
    if (!path) continue;
    let actual: string;
    try {
      actual = await sha256File(path);
    } catch {
      throw new ReconError('INPUT_NOT_FOUND', `${path}: source ${side.toUpperCase()} file not found`, { file: path });
    }
    const expected = recorded?.[side]?.sha256 ?? '';
    inputs[side] = { path, expected, actual, ok: expected === actual };
    if (expected !== actual) problems.push(`source ${side.toUpperCase()} ${path}: SHA-256 ${actual.slice(0, 16)}… is not the recorded ${expected.slice(0, 16)}…`);
  }
  const run = pack['run'] as { runId?: string } | undefined;
  return { ok: problems.length === 0, signatureValid, keyFingerprint, trustedKey, signer, trustedKeys: trusted.length, inputs, runId: run?.runId ?? null, problems };
}
