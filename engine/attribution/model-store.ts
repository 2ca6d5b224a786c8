import { existsSync } from 'node:fs';
import { chmod, copyFile, mkdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ReasonModel } from './model.ts';

/**
 * Where models live: the shipped baseline next to this module, and a
 * workspace's own models under `<workspace>/models/` — one file per version
 * plus `current.json`, the promoted one every run uses.
 */

/** The baseline model shipped with the engine (trained by scripts/train-baseline.ts). */
export const BASELINE_MODEL_PATH = fileURLToPath(new URL('./baseline-model.json', import.meta.url));

/** `<workspace>/models`. */
export function modelsDir(workspace: string): string {
  return join(workspace, 'models');
}

/** `<workspace>/models/current.json`. */
export function currentModelPath(workspace: string): string {
  return join(modelsDir(workspace), 'current.json');
}

/** The workspace's promoted model, else the shipped baseline; `path` says which file. */
export async function loadCurrentModel(workspace?: string): Promise<{ model: ReasonModel; path: string }> {
  const path = workspace && existsSync(currentModelPath(workspace)) ? currentModelPath(workspace) : BASELINE_MODEL_PATH;
  return { model: await ReasonModel.load(path), path };
}

/** Writes `models/<version>.json` and makes it `current.json` (the version file stays as history). */
export async function promoteModel(workspace: string, model: ReasonModel): Promise<string> {
  await mkdir(modelsDir(workspace), { recursive: true, mode: 0o700 });
  const versioned = join(modelsDir(workspace), `${model.version}.json`);
  await model.save(versioned);
  // A workspace's files are its owner's only; copyFile gives current.json the same mode.
  await chmod(versioned, 0o600);
  const tmp = `${currentModelPath(workspace)}.tmp`;
  await copyFile(versioned, tmp);
  await rename(tmp, currentModelPath(workspace));
  return versioned;
}
