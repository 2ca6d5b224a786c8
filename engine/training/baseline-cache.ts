import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { BASELINE_CODES } from '../attribution/baseline-data.ts';
import { FEATURES } from '../attribution/features.ts';
import type { TrainingSet } from '../attribution/model.ts';
import {
  buildBaselineHoldoutSet,
  buildBaselineTrainingSet,
  HOLDOUT_GENERATED,
  HOLDOUT_SYNTHETIC,
  TRAIN_GENERATED,
  TRAIN_SERIES,
  TRAIN_SYNTHETIC,
} from './baseline-recipe.ts';

/**
 * The baseline's training and held-out feature matrices, kept in one file so
 * retraining does not rebuild them (that is ~25 recons and 100 synthetic runs:
 * minutes on 2 cores, while growing the trees takes seconds).
 *
 * The file is named by a key over everything that decides its content: the
 * recipe's seeds and sizes, the feature names in order, the reason codes and
 * the shipped baseline's version (a change to how a feature is computed ships
 * with a retrained baseline, hence a new version). Any change gives a new key,
 * so a stale file is never read; older files are left for the user to delete
 * (they are small and a downgrade may want them back).
 */
export interface BaselineData {
  /** The cache key: also the identity of the baseline held-out set in stored metrics. */
  key: string;
  train: TrainingSet;
  holdout: TrainingSet;
}

const FORMAT = 'recon-baseline-sets-1';

/** The key of the baseline data for this engine and the baseline model `baselineVersion`. */
export function baselineDataKey(baselineVersion: string): string {
  const recipe = { TRAIN_GENERATED, TRAIN_SYNTHETIC, TRAIN_SERIES, HOLDOUT_GENERATED, HOLDOUT_SYNTHETIC };
  const identity = JSON.stringify({ format: FORMAT, recipe, features: FEATURES.map((f) => f.name), codes: BASELINE_CODES, baselineVersion });
  return createHash('sha256').update(identity).digest('hex').slice(0, 16);
}

/** `<dir>/baseline-<key>.bin`. */
export function baselineCachePath(dir: string, key: string): string {
  return join(dir, `baseline-${key}.bin`);
}

/**
 * The baseline data from `dir`, built and written there first when absent.
 * `onBuild` is told before a build starts (the slow path, once per key).
 */
export async function loadBaselineData(
  dir: string,
  baselineVersion: string,
  opts: { workDir: string; onBuild?: () => void; log?: (s: string) => void; signal?: AbortSignal },
): Promise<BaselineData> {
  const key = baselineDataKey(baselineVersion);
  const path = baselineCachePath(dir, key);
  if (existsSync(path)) {
    const cached = await readBaselineFile(path).catch(() => null);
    if (cached?.key === key) return cached;
  }
  opts.onBuild?.();
  opts.signal?.throwIfAborted();
  const train = await buildBaselineTrainingSet(opts.workDir, opts.log, opts.signal);
  opts.signal?.throwIfAborted();
  const holdout = await buildBaselineHoldoutSet(opts.workDir);
  opts.signal?.throwIfAborted();
  const data: BaselineData = { key, train, holdout };
  await writeBaselineData(dir, data);
  return data;
}

interface Header {
  format: typeof FORMAT;
  key: string;
  width: number;
  classes: string[];
  train: number[];
  holdout: number[];
}

/**
 * Layout: 4-byte header length (LE), the JSON header (labels as class
 * indexes), padding to 8 bytes, then the train and held-out rows as raw
 * float64 (exact: a feature value read back is the value computed).
 */
export async function writeBaselineData(dir: string, d: BaselineData): Promise<void> {
  const path = baselineCachePath(dir, d.key);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const classes = [...new Set([...d.train.y, ...d.holdout.y])].sort();
  const at = new Map(classes.map((c, i) => [c, i]));
  const header: Header = {
    format: FORMAT,
    key: d.key,
    width: FEATURES.length,
    classes,
    train: d.train.y.map((c) => at.get(c)!),
    holdout: d.holdout.y.map((c) => at.get(c)!),
  };
  const json = Buffer.from(JSON.stringify(header));
  const pad = (8 - ((4 + json.length) % 8)) % 8;
  const head = Buffer.alloc(4 + json.length + pad, 0x20);
  head.writeUInt32LE(json.length + pad, 0);
  json.copy(head, 4);
  // A temp file renamed into place: a reader never sees half a file, and two writers race harmlessly.
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  const f = await open(tmp, 'w', 0o600);
  try {
    await f.write(head);
    await f.write(new Uint8Array(d.train.x.buffer, d.train.x.byteOffset, d.train.x.byteLength));
    await f.write(new Uint8Array(d.holdout.x.buffer, d.holdout.x.byteOffset, d.holdout.x.byteLength));
  } finally {
    await f.close();
  }
  await rename(tmp, path).catch(async (err: unknown) => {
    await rm(tmp, { force: true });
    throw err;
  });
}

async function readBaselineFile(path: string): Promise<BaselineData | null> {
  const buf = await readFile(path);
  const len = buf.readUInt32LE(0);
  const header = JSON.parse(buf.subarray(4, 4 + len).toString('utf8')) as Header;
  if (header.format !== FORMAT || header.width !== FEATURES.length) return null;
  const start = 4 + len;
  const nTrain = header.train.length * header.width;
  const nHold = header.holdout.length * header.width;
  if (buf.length !== start + 8 * (nTrain + nHold)) return null;
  // Copy out: the Buffer may sit at an offset not aligned for Float64Array.
  const all = new Float64Array(nTrain + nHold);
  new Uint8Array(all.buffer).set(buf.subarray(start));
  return {
    key: header.key,
    train: { x: all.subarray(0, nTrain), y: header.train.map((i) => header.classes[i]!) },
    holdout: { x: all.subarray(nTrain), y: header.holdout.map((i) => header.classes[i]!) },
  };
}
