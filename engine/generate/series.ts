import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { INJECTED_REASONS, ReasonBag, type InjectedReason } from './breaks.ts';
import { addBusinessDays, DateTable, dayOf } from './calendar.ts';
import { LineWriter, quoteField } from './csv-writer.ts';
import { generateExtracts, type GeneratedBreak, type PlannedBreak } from './generate-extracts.ts';
import { deriveSeed, Rng } from './prng.ts';

/**
 * `recon generate --days N`: the same book of trades extracted on N business
 * days, as a recon team sees it every morning. Day 1 draws its breaks as a
 * single extract does; from one day to the next each open break is fixed
 * upstream (~30%), changes value (~20% of field breaks: the same trade and
 * reason, other broken values), or stays as it was, and new breaks arrive on
 * trades that were clean. Each day's folder holds a.csv, b.csv and truth.csv
 * like `recon generate`, plus what a series-aware run must say about it:
 * lifecycle.csv (every break's NEW / CARRIED / CHANGED, first day and age in
 * runs) and resolved.csv (the breaks of the day before that are gone, and how).
 */
export interface SeriesOptions {
  rows: number;
  days: number;
  outDir: string;
  seed?: number;
  breakRate?: number;
}

export interface SeriesDay {
  day: number;
  dir: string;
  /** The extract's business date (ISO), one business day after the day before. */
  asOf: string;
  aPath: string;
  bPath: string;
  breaks: number;
}

/** How a break of the day before ended, as a series-aware run reports it. */
export type Resolution = 'VALUES_AGREE' | 'RECORD_ON_BOTH_SIDES' | 'RECORD_GONE';

const FIXED = 0.3;
const CHANGED = 0.2;
/** New breaks per day, as a share of breakRate, among trades that are clean that day. */
const ARRIVALS = 0.35;
const FIRST_AS_OF = dayOf('2024-07-01');
const FIELD_REASONS = new Set<InjectedReason>(['ROUNDING_DIFF', 'TIMING_DIFF', 'FX_DIFF', 'SCALE_DIFF', 'SIGN_FLIP', 'STATIC_DATA']);

export async function generateSeries(opts: SeriesOptions): Promise<{ days: SeriesDay[]; definitionPath: string }> {
  const { rows, days, outDir, seed = 1, breakRate = 0.02 } = opts;
  if (!Number.isSafeInteger(days) || days < 1) throw new RangeError(`days must be a positive integer, got ${days}`);
  if (!Number.isSafeInteger(rows) || rows < 1) throw new RangeError(`rows must be a positive integer, got ${rows}`);
  if (!(breakRate >= 0 && breakRate <= 1)) throw new RangeError(`breakRate must be in [0, 1], got ${breakRate}`);
  await mkdir(outDir, { recursive: true });
  const rng = new Rng(deriveSeed(seed, 101));
  const bag = new ReasonBag(new Rng(deriveSeed(seed, 102)));
  const dates = new DateTable(FIRST_AS_OF - 5, FIRST_AS_OF + days * 2 + 10);

  let plan = new Map<number, PlannedBreak>();
  for (let i = 1; i <= rows; i++) if (rng.next() < breakRate) plan.set(i, { reason: bag.next(), variant: 0 });

  const out: SeriesDay[] = [];
  let definitionPath = '';
  // What each (key, field) of the day before was: signature, first day, age in runs, diff type.
  let previous = new Map<string, { signature: string; firstDay: number; ageRuns: number; diffType: string }>();
  let asOfDay = FIRST_AS_OF;
  const fieldOf = new Map<number, string>();
  for (let day = 1; day <= days; day++) {
    if (day > 1) {
      asOfDay = addBusinessDays(asOfDay, 1);
      const next = new Map<number, PlannedBreak>();
      const fixedToday = new Set<number>();
      for (const [i, b] of plan) {
        const r = rng.next();
        if (r < FIXED) fixedToday.add(i);
        else if (r < FIXED + CHANGED && FIELD_REASONS.has(b.reason)) {
          const field = fieldOf.get(i);
          next.set(i, { reason: b.reason, variant: b.variant + 1, ...(field !== undefined ? { field } : {}) });
        }
        else next.set(i, b);
      }
      // A trade fixed today stays clean today, so its resolution is plain.
      for (let i = 1; i <= rows; i++) {
        if (!next.has(i) && !fixedToday.has(i) && rng.next() < breakRate * ARRIVALS) next.set(i, { reason: bag.next(), variant: day * 8 });
      }
      plan = next;
    }
    const dir = join(outDir, `day-${String(day).padStart(2, '0')}`);
    const result = await generateExtracts({ rows, outDir: dir, seed, breakRate, plan });
    definitionPath = result.definitionPath;
    // Trade ids are "T" and the trade's number: a changed break stays on the field it broke.
    fieldOf.clear();
    for (const b of result.breaks) if (b.diffType === 'MISMATCH') fieldOf.set(Number(b.key.slice(1)), b.field);

    const current = new Map<string, { signature: string; firstDay: number; ageRuns: number; diffType: string }>();
    const lifecycle: string[] = [];
    for (const b of sortBreaks(result.breaks)) {
      const id = `${b.key}\u0000${b.field}`;
      const before = previous.get(id);
      const label = before === undefined ? 'NEW' : before.signature === b.signature && before.diffType === b.diffType ? 'CARRIED' : 'CHANGED';
      const firstDay = before?.firstDay ?? day;
      const ageRuns = (before?.ageRuns ?? 0) + 1;
      current.set(id, { signature: b.signature, firstDay, ageRuns, diffType: b.diffType });
      lifecycle.push(`${quoteField(b.key, ',')},${quoteField(b.field, ',')},${b.diffType},${b.side},${label},${firstDay},${ageRuns}\n`);
    }
    const resolved: string[] = [];
    for (const [id, before] of previous) {
      if (current.has(id)) continue;
      const [key, field] = id.split('\u0000') as [string, string];
      resolved.push(`${quoteField(key, ',')},${quoteField(field, ',')},${before.firstDay},${day - 1},${resolutionOf(before.diffType)}\n`);
    }
    await writeLines(join(dir, 'lifecycle.csv'), 'key,field,diff_type,side,lifecycle,first_seen_day,age_runs\n', lifecycle);
    await writeLines(join(dir, 'resolved.csv'), 'key,field,first_seen_day,last_seen_day,resolution\n', resolved.sort());
    out.push({ day, dir, asOf: dates.isoOf(asOfDay), aPath: result.aPath, bPath: result.bPath, breaks: result.breaks.length });
    previous = current;
  }
  await writeFile(join(outDir, 'series.json'), `${JSON.stringify({ seed, rows, breakRate, reasons: INJECTED_REASONS, days: out }, null, 2)}\n`);
  return { days: out, definitionPath };
}

/**
 * The generator fixes a break by restoring the record: a field break's values
 * agree again, a missing or duplicated trade is once on each side, and the
 * custodian's trade we never booked is gone from its file.
 */
function resolutionOf(diffType: string): Resolution {
  if (diffType === 'MISMATCH') return 'VALUES_AGREE';
  if (diffType === 'MISSING_IN_A') return 'RECORD_GONE';
  return 'RECORD_ON_BOTH_SIDES';
}

function sortBreaks(breaks: GeneratedBreak[]): GeneratedBreak[] {
  return [...breaks].sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : x.field < y.field ? -1 : x.field > y.field ? 1 : 0));
}

async function writeLines(path: string, header: string, lines: string[]): Promise<void> {
  const w = LineWriter.open(path);
  w.header(header);
  for (const line of lines) {
    w.write(line);
    if (w.needsFlush) await w.flush();
  }
  await w.close();
}
