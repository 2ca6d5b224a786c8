import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { applyFieldBreak, INJECTED_REASONS, ReasonBag, type FieldReason, type InjectedReason, type TruthRow } from './breaks.ts';
import { LineWriter, quoteField } from './csv-writer.ts';
import { ShuffleBlock } from './shuffle-block.ts';
import { GENERATED_DEFINITION } from './definition.ts';
import { deriveSeed, Rng } from './prng.ts';
import { FX_RATES } from './reference-data.ts';
import { A_HEADER, B_HEADER, TradeFactory, type Trade } from './trades.ts';

export interface GenerateOptions {
  /** Trades in Source A (distinct keys T1..Trows); A-side duplicates add lines on top. */
  rows: number;
  outDir: string;
  /** Default 1. Same seed, same bytes. */
  seed?: number;
  /** Share of trades given an injected break, default 0.02. */
  breakRate?: number;
  /**
   * One day of a daily series (generate/series.ts): which trades break, and how,
   * is given instead of drawn, so a break can persist, change or go between days.
   */
  plan?: ReadonlyMap<number, PlannedBreak>;
}

/** A trade's break in a planned day: its reason and a variant (same variant, same broken values). */
export interface PlannedBreak {
  reason: InjectedReason;
  variant: number;
  /** A field break that must stay on this field (a break that changed value, not field). */
  field?: string;
}

/** An injected break with what its broken record looked like, so two days can be compared. */
export interface GeneratedBreak extends TruthRow {
  /** The broken B record (MISMATCH) or the break's side: equal signatures, equal values. */
  signature: string;
}

export interface GenerateResult {
  aPath: string;
  bPath: string;
  truthPath: string;
  definitionPath: string;
  /** fx.json: the fixed FX table FX_DIFF breaks were made with. */
  fxPath: string;
  /** Data lines (header excluded). */
  rowsA: number;
  rowsB: number;
  /** Count per reason code (every code present, zero when none). */
  injected: Record<string, number>;
  /** Every injected break, as truth.csv lists them, with its signature. */
  breaks: GeneratedBreak[];
}

/** B lines per shuffle block: B's order is shuffled within each block, so memory stays bounded. */
const BLOCK_LINES = 10_000;

/** Stream indices for deriveSeed: each concern draws from its own sequence. */
const STREAM = { data: 0, breaks: 1, quirks: 2, shuffle: 3, reference: 4, select: 5, planned: 16 } as const;

/**
 * Writes a.csv, b.csv, truth.csv, definition.json and fx.json into outDir: synthetic
 * trades (A) against a quirky custodian file (B) with known, injected breaks.
 */
export async function generateExtracts(opts: GenerateOptions): Promise<GenerateResult> {
  const { rows, outDir, seed = 1, breakRate = 0.02 } = opts;
  if (!Number.isSafeInteger(rows) || rows < 0) throw new RangeError(`rows must be a non-negative integer, got ${rows}`);
  if (!(breakRate >= 0 && breakRate <= 1)) throw new RangeError(`breakRate must be in [0, 1], got ${breakRate}`);
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`);

  await mkdir(outDir, { recursive: true });
  const paths = {
    aPath: join(outDir, 'a.csv'),
    bPath: join(outDir, 'b.csv'),
    truthPath: join(outDir, 'truth.csv'),
    definitionPath: join(outDir, 'definition.json'),
    fxPath: join(outDir, 'fx.json'),
  };

  const dataRng = new Rng(deriveSeed(seed, STREAM.data));
  const selectRng = new Rng(deriveSeed(seed, STREAM.select));
  const breakRng = new Rng(deriveSeed(seed, STREAM.breaks));
  const quirkRng = new Rng(deriveSeed(seed, STREAM.quirks));
  const shuffleRng = new Rng(deriveSeed(seed, STREAM.shuffle));
  const factory = new TradeFactory(new Rng(deriveSeed(seed, STREAM.reference)));
  const ctx = { isins: factory.securities.map((s) => s.isin) };
  const bag = new ReasonBag(breakRng);
  // Extra B-only trades take ids after rows, so keep room for up to `rows` of them.
  const keyWidth = Math.max(8, String(rows * 2).length);
  const keyOf = (n: number): string => `T${String(n).padStart(keyWidth, '0')}`;

  const injected = Object.fromEntries(INJECTED_REASONS.map((r) => [r, 0])) as Record<InjectedReason, number>;
  const truth: GeneratedBreak[] = [];
  const a = LineWriter.open(paths.aPath);
  const b = LineWriter.open(paths.bPath);
  try {
    a.header(A_HEADER);
    b.header(B_HEADER);
    const block = new ShuffleBlock();
    let nextExtraId = rows;
    const flushBlock = async (): Promise<void> => {
      block.drainTo(b, shuffleRng);
      await b.flush();
    };

    // `rng` draws the break's details; `extraId` names the B-only trade of a MISSING_IN_A.
    const injectBreak = (
      reason: InjectedReason,
      t: Trade,
      aLine: string,
      rng: Rng,
      extraId: () => string,
      fieldBreak = (r: FieldReason): ReturnType<typeof applyFieldBreak> => applyFieldBreak(r, t, rng, ctx),
    ): void => {
      switch (reason) {
        case 'MISSING_IN_B':
          truth.push({ key: t.id, field: '*', diffType: 'MISSING_IN_B', reason, side: '', signature: '' });
          return;
        case 'MISSING_IN_A': {
          // The trade itself stays clean; the custodian also holds one we never booked.
          block.push(factory.formatB(t, quirkRng));
          const extra = factory.make(rng, extraId());
          block.push(factory.formatB(extra, quirkRng));
          truth.push({ key: extra.id, field: '*', diffType: 'MISSING_IN_A', reason, side: '', signature: '' });
          return;
        }
        case 'DUPLICATE_KEY': {
          const bLine = factory.formatB(t, quirkRng);
          if (rng.chance(0.25)) {
            a.write(aLine); // booked twice in the front office
            block.push(bLine);
            truth.push({ key: t.id, field: '*', diffType: 'DUPLICATE_KEY', reason, side: 'a', signature: 'a' });
          } else {
            block.push(bLine);
            block.push(bLine); // the custodian sent the same line twice
            truth.push({ key: t.id, field: '*', diffType: 'DUPLICATE_KEY', reason, side: 'b', signature: 'b' });
          }
          return;
        }
        default: {
          const broken = fieldBreak(reason);
          block.push(factory.formatB(broken.b, quirkRng));
          truth.push({ key: t.id, field: broken.field, diffType: 'MISMATCH', reason, side: '', signature: JSON.stringify(broken.b) });
        }
      }
    };

    for (let i = 1; i <= rows; i++) {
      const t = factory.make(dataRng, keyOf(i));
      const aLine = factory.formatA(t);
      a.write(aLine);
      if (opts.plan) {
        // A planned day: each break draws from its own stream (trade, variant), so the
        // same planned break gives the same values on every day it persists.
        const planned = opts.plan.get(i);
        if (planned === undefined) block.push(factory.formatB(t, quirkRng));
        else {
          injected[planned.reason]++;
          const stream = deriveSeed(seed, STREAM.planned + planned.variant);
          const rng = new Rng(deriveSeed(stream, i));
          // A break held to its field tries further draws of its variant until one breaks that field.
          const onField = (reason: FieldReason): ReturnType<typeof applyFieldBreak> => {
            let broken = applyFieldBreak(reason, t, rng, ctx);
            for (let k = 1; k < 32 && planned.field !== undefined && broken.field !== planned.field; k++) {
              broken = applyFieldBreak(reason, t, new Rng(deriveSeed(stream, i + k * 0x1000_0000)), ctx);
            }
            return broken;
          };
          injectBreak(planned.reason, t, aLine, rng, () => keyOf(rows + i), onField);
        }
      } else if (selectRng.next() >= breakRate) {
        // Selection has its own stream: which trades break depends only on seed and breakRate.
        block.push(factory.formatB(t, quirkRng));
      } else {
        const reason = bag.next();
        injected[reason]++;
        injectBreak(reason, t, aLine, breakRng, () => keyOf(++nextExtraId));
      }
      if (block.length >= BLOCK_LINES) await flushBlock();
      if (a.needsFlush) await a.flush();
    }
    await flushBlock();
    await Promise.all([a.close(), b.close()]);
  } catch (err) {
    a.destroy();
    b.destroy();
    throw err;
  }

  await writeTruth(paths.truthPath, truth);
  await writeFile(paths.definitionPath, `${JSON.stringify(GENERATED_DEFINITION, null, 2)}\n`, 'utf8');
  await writeFile(paths.fxPath, `${JSON.stringify(FX_RATES, null, 2)}\n`, 'utf8');
  return { ...paths, rowsA: a.dataLines, rowsB: b.dataLines, injected, breaks: truth };
}

/** truth.csv sorted by key then field (code-unit order; keys are fixed width). */
async function writeTruth(path: string, truth: TruthRow[]): Promise<void> {
  truth.sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : x.field < y.field ? -1 : x.field > y.field ? 1 : 0));
  const w = LineWriter.open(path);
  w.header('key,field,diff_type,reason,side\n');
  for (const r of truth) {
    w.write(`${quoteField(r.key, ',')},${quoteField(r.field, ',')},${r.diffType},${r.reason},${r.side}\n`);
    if (w.needsFlush) await w.flush();
  }
  await w.close();
}
