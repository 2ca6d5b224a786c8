import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { applyFieldBreak, INJECTED_REASONS, ReasonBag, type InjectedReason, type TruthRow } from './breaks.ts';
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
}

/** B lines per shuffle block: B's order is shuffled within each block, so memory stays bounded. */
const BLOCK_LINES = 10_000;

/** Stream indices for deriveSeed: each concern draws from its own sequence. */
const STREAM = { data: 0, breaks: 1, quirks: 2, shuffle: 3, reference: 4, select: 5 } as const;

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
  const truth: TruthRow[] = [];
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

    const injectBreak = (reason: InjectedReason, t: Trade, aLine: string): void => {
      switch (reason) {
        case 'MISSING_IN_B':
          truth.push({ key: t.id, field: '*', diffType: 'MISSING_IN_B', reason, side: '' });
          return;
        case 'MISSING_IN_A': {
          // The trade itself stays clean; the custodian also holds one we never booked.
          block.push(factory.formatB(t, quirkRng));
          const extra = factory.make(breakRng, keyOf(++nextExtraId));
          block.push(factory.formatB(extra, quirkRng));
          truth.push({ key: extra.id, field: '*', diffType: 'MISSING_IN_A', reason, side: '' });
          return;
        }
        case 'DUPLICATE_KEY': {
          const bLine = factory.formatB(t, quirkRng);
          if (breakRng.chance(0.25)) {
            a.write(aLine); // booked twice in the front office
            block.push(bLine);
            truth.push({ key: t.id, field: '*', diffType: 'DUPLICATE_KEY', reason, side: 'a' });
          } else {
            block.push(bLine);
            block.push(bLine); // the custodian sent the same line twice
            truth.push({ key: t.id, field: '*', diffType: 'DUPLICATE_KEY', reason, side: 'b' });
          }
          return;
        }
        default: {
          const broken = applyFieldBreak(reason, t, breakRng, ctx);
          block.push(factory.formatB(broken.b, quirkRng));
          truth.push({ key: t.id, field: broken.field, diffType: 'MISMATCH', reason, side: '' });
        }
      }
    };

    for (let i = 1; i <= rows; i++) {
      const t = factory.make(dataRng, keyOf(i));
      const aLine = factory.formatA(t);
      a.write(aLine);
      // Selection has its own stream: which trades break depends only on seed and breakRate.
      if (selectRng.next() >= breakRate) {
        block.push(factory.formatB(t, quirkRng));
      } else {
        const reason = bag.next();
        injected[reason]++;
        injectBreak(reason, t, aLine);
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
  return { ...paths, rowsA: a.dataLines, rowsB: b.dataLines, injected };
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
