/**
 * Where a report goes when a person names the file (runs.export, audit.export): one
 * check for both, so both answer a bad path the same way, as data, before any
 * work starts. A missing folder is created (as the CLI's export does); a path
 * that cannot be written is EXPORT_PATH_INVALID naming the folder; a file
 * already there is EXPORT_PATH_EXISTS unless the caller asked to replace it.
 */
import { constants } from 'node:fs';
import { access, mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { ReconError } from '../errors/recon-error.ts';

const errno = (err: unknown): string | undefined => (err as NodeJS.ErrnoException | undefined)?.code;

function invalid(out: string, folder: string, why: string): ReconError {
  return new ReconError('EXPORT_PATH_INVALID', `cannot write ${out}: ${why}`, { path: out, folder });
}

/** The message and details of a file that is already there (the same for every export). */
export function pathExists(out: string): ReconError {
  return new ReconError('EXPORT_PATH_EXISTS', `${out} already exists: choose another file, or allow replacing it (overwrite)`, { path: out, folder: dirname(out) });
}

/** Resolves `path`, checks it can be written and creates its folder; returns the absolute path. */
export async function prepareOutputPath(path: string, overwrite: boolean): Promise<string> {
  const out = resolve(path);
  const folder = dirname(out);
  const existing = await stat(out).catch((err: unknown) => {
    if (errno(err) === 'ENOENT') return null;
    if (errno(err) === 'ENOTDIR') throw invalid(out, folder, `a part of ${folder} is a file, not a folder`);
    throw invalid(out, folder, (err as Error).message);
  });
  if (existing?.isDirectory()) throw invalid(out, folder, 'it is a folder: name a file inside it');
  if (existing && !existing.isFile()) throw invalid(out, folder, 'it is not a regular file');
  if (existing && !overwrite) throw pathExists(out);
  try {
    await mkdir(folder, { recursive: true });
  } catch (err) {
    throw invalid(out, folder, errno(err) === 'ENOTDIR' || errno(err) === 'EEXIST' ? `a part of ${folder} is a file, not a folder` : `the folder ${folder} cannot be created (${errno(err) ?? (err as Error).message})`);
  }
  try {
    await access(folder, constants.W_OK);
  } catch {
    throw invalid(out, folder, `the folder ${folder} is not writable`);
  }
  return out;
}

/** A file-system error met while writing `out` (disk full, removed folder…) as EXPORT_PATH_INVALID; anything else unchanged. */
export function asWriteError(err: unknown, out: string): unknown {
  if (err instanceof ReconError || typeof errno(err) !== 'string' || (err as NodeJS.ErrnoException).syscall === undefined) return err;
  return invalid(out, dirname(out), `${errno(err)} (${(err as NodeJS.ErrnoException).syscall})`);
}
