/**
 * Definition files anywhere on the engine machine, for the new-run screen's
 * Import and Export: a file is read and validated with the definition
 * schema (errors name the line and column, or each issue's JSON path) and
 * handed back as written; a definition is validated and written as JSON,
 * as given, so what is exported imports back the same.
 */
import { randomUUID } from 'node:crypto';
import { open, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { parseDefinitionText, validateDefinition } from '../definition/load.ts';
import type { DefinitionInput } from '../definition/schema.ts';
import { ReconError } from '../errors/recon-error.ts';
import { asWriteError, prepareOutputPath } from '../report/output-path.ts';

/** A definition file larger than this is not one (real ones are a few KB; 5,000 fields ≈ 500 KB). */
export const MAX_DEFINITION_FILE_BYTES = 8 * 1024 * 1024;

/** Reads and validates a definition file; returns its JSON as written. */
export async function importDefinitionFile(path: string): Promise<{ path: string; definition: DefinitionInput }> {
  const file = resolve(path);
  const info = await stat(file).catch(() => null);
  if (info === null) throw new ReconError('INPUT_NOT_FOUND', `${file}: definition file not found or not readable`, { file });
  if (!info.isFile()) throw new ReconError('INPUT_NOT_FOUND', `${file}: not a file`, { file });
  if (info.size > MAX_DEFINITION_FILE_BYTES) {
    throw new ReconError('INPUT_TOO_LARGE', `${file}: ${info.size} bytes is too large for a definition file (at most ${MAX_DEFINITION_FILE_BYTES})`, { file, bytes: info.size });
  }
  // Read at most the limit, whatever the file grows to meanwhile.
  const handle = await open(file, 'r').catch(() => {
    throw new ReconError('INPUT_NOT_FOUND', `${file}: definition file not found or not readable`, { file });
  });
  let text: string;
  try {
    const buf = Buffer.alloc(MAX_DEFINITION_FILE_BYTES + 1);
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    if (bytesRead > MAX_DEFINITION_FILE_BYTES) throw new ReconError('INPUT_TOO_LARGE', `${file}: too large for a definition file (at most ${MAX_DEFINITION_FILE_BYTES} bytes)`, { file });
    text = buf.subarray(0, bytesRead).toString('utf8').replace(/^\uFEFF/, '');
  } finally {
    await handle.close();
  }
  parseDefinitionText(text, file);
  // Valid, so plain JSON: hand it back as written (defaults not filled in), for the form to keep.
  return { path: file, definition: JSON.parse(text) as DefinitionInput };
}

/** Validates a definition and writes it as JSON (temporary name, then rename: never a partial file). */
export async function exportDefinitionFile(definition: Record<string, unknown>, path: string, overwrite: boolean): Promise<{ path: string }> {
  validateDefinition(definition, 'definition');
  const out = await prepareOutputPath(path, overwrite);
  const tmp = join(dirname(out), `.${basename(out)}.${randomUUID()}.tmp`);
  try {
    await writeFile(tmp, `${JSON.stringify(definition, null, 2)}\n`, { flag: 'wx' });
    await rename(tmp, out);
  } catch (err) {
    await rm(tmp, { force: true });
    throw asWriteError(err, out);
  }
  return { path: out };
}
