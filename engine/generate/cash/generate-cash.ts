import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { DateTable } from '../calendar.ts';
import { LineWriter, quoteField } from '../csv-writer.ts';
import { deriveSeed, Rng } from '../prng.ts';
import { CounterpartyPool } from './counterparties.ts';
import { CASH_DEFINITION } from './definition.ts';
import { formatCents } from './money.ts';
import { ReferenceBook } from './references.ts';
import { BANK_HEADER, CASH_KINDS, LEDGER_HEADER, TRUTH_HEADER, type BankRow, type CashKind, type EventContext, type LedgerRow, type TruthTag } from './rows.ts';
import { businessDays, CashScenario } from './scenario.ts';

export interface CashGenerateOptions {
  /** Ledger rows, roughly (a day's events may overshoot its share by a group). */
  rows: number;
  outDir: string;
  /** Default 1. Same seed, same bytes. */
  seed?: number;
}

export interface CashGenerateResult {
  ledgerPath: string;
  bankPath: string;
  truthPath: string;
  definitionPath: string;
  ledgerRows: number;
  bankRows: number;
  /** Rows per kind and side. */
  kinds: Record<CashKind, { a: number; b: number }>;
  /** Truth groups per match type. */
  groups: Record<string, number>;
  /** Rows with no counterpart on the other side, per side. */
  withoutCounterpart: { a: number; b: number };
  firstDate: string;
  lastDate: string;
}

/** Stream indices for deriveSeed: each concern draws from its own sequence. */
const STREAM = { counterparties: 0, references: 1, events: 2, order: 3 } as const;

/** Counterparties in the book: about one per 30 ledger rows, 60 to 40,000. */
export function counterpartyCount(rows: number): number {
  return Math.min(40_000, Math.max(60, Math.round(rows / 30)));
}

/**
 * Writes ledger.csv (A), bank.csv (B), truth.csv and definition.json into outDir:
 * an internal cash ledger against the bank statement of the same accounts, sharing
 * no key, with the true pairing of every row. Drawn day by day and written as each
 * day closes, so memory holds a few days of rows whatever the size.
 */
export async function generateCash(opts: CashGenerateOptions): Promise<CashGenerateResult> {
  const { rows, outDir, seed = 1 } = opts;
  if (!Number.isSafeInteger(rows) || rows <= 0) throw new RangeError(`rows must be a positive integer, got ${rows}`);
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`);
  await mkdir(outDir, { recursive: true });
  const paths = {
    ledgerPath: join(outDir, 'ledger.csv'),
    bankPath: join(outDir, 'bank.csv'),
    truthPath: join(outDir, 'truth.csv'),
    definitionPath: join(outDir, 'definition.json'),
  };
  const truthBPath = join(outDir, '.truth-b.part');

  const days = businessDays(rows);
  const dates = new DateTable(days[0] as number, days[days.length - 1] as number);
  const orderRng = new Rng(deriveSeed(seed, STREAM.order));
  const kinds = Object.fromEntries(CASH_KINDS.map((k) => [k, { a: 0, b: 0 }])) as Record<CashKind, { a: number; b: number }>;
  const groups: Record<string, number> = {};

  // Rows wait here by the day they are written on: the ledger's posting day, the statement's booking day.
  const ledgerByDay = new Map<number, LedgerRow[]>();
  const bankByDay = new Map<number, BankRow[]>();
  let groupCount = 0;
  let lastGroupId = '';
  const ctx: EventContext = {
    rng: new Rng(deriveSeed(seed, STREAM.events)),
    pool: new CounterpartyPool(new Rng(deriveSeed(seed, STREAM.counterparties)), counterpartyCount(rows), rows / days.length),
    refs: new ReferenceBook(new Rng(deriveSeed(seed, STREAM.references))),
    last: days.length - 1,
    newGroupId: () => `G${String(++groupCount).padStart(7, '0')}`,
    ledger: (row) => {
      // Every group has a ledger row and an event hands over its rows together: count each group at its first.
      if (row.groupId !== '' && row.groupId !== lastGroupId) groups[row.matchType] = (groups[row.matchType] ?? 0) + 1;
      lastGroupId = row.groupId;
      pushTo(ledgerByDay, row.postIdx, row);
    },
    bank: (row) => pushTo(bankByDay, row.bookingIdx, row),
  };
  const scenario = new CashScenario(ctx, rows, days);

  const ledger = LineWriter.open(paths.ledgerPath);
  const bank = LineWriter.open(paths.bankPath);
  const truthA = LineWriter.open(paths.truthPath);
  const truthB = LineWriter.open(truthBPath);
  const writers = [ledger, bank, truthA, truthB];
  const withoutCounterpart = { a: 0, b: 0 };
  const tally = (tag: TruthTag, side: 'a' | 'b'): void => {
    kinds[tag.kind][side]++;
    if (tag.groupId === '') withoutCounterpart[side]++;
  };
  try {
    ledger.header(LEDGER_HEADER);
    bank.header(BANK_HEADER);
    truthA.header(TRUTH_HEADER);
    let entrySeq = 0;
    for (let idx = 0; idx < days.length; idx++) {
      scenario.drawDay(idx);
      // Everything dated up to today is final: events only ever date rows on or after their day.
      const posted = ledgerByDay.get(idx) ?? [];
      ledgerByDay.delete(idx);
      orderRng.shuffle(posted);
      for (const row of posted) {
        const id = `LE${String(++entrySeq).padStart(9, '0')}`;
        ledger.write(`${id},${dates.isoOf(days[row.valueIdx] as number)},${row.currency},${formatCents(row.cents)},${csv(row.counterparty)},${csv(row.reference)},${csv(row.description)}\n`);
        truthA.write(truthLine('A', id, row));
        tally(row, 'a');
      }
      const booked = bankByDay.get(idx) ?? [];
      bankByDay.delete(idx);
      orderRng.shuffle(booked);
      const bookingIso = dates.isoOf(days[idx] as number);
      const linePrefix = `ST${bookingIso.replaceAll('-', '')}`;
      for (const [i, row] of booked.entries()) {
        const id = `${linePrefix}${String(i + 1).padStart(5, '0')}`;
        bank.write(`${id},${bookingIso},${dates.isoOf(days[row.valueIdx] as number)},${row.currency},${formatCents(row.cents)},${csv(row.name)},${csv(row.narrative)}\n`);
        truthB.write(truthLine('B', id, row));
        tally(row, 'b');
      }
      for (const w of writers) if (w.needsFlush) await w.flush();
    }
    if (ledgerByDay.size > 0 || bankByDay.size > 0) throw new Error('rows dated after the statement was left unwritten');
    await Promise.all(writers.map((w) => w.close()));
    // truth.csv: the ledger's rows, then the statement's.
    await pipeline(createReadStream(truthBPath), createWriteStream(paths.truthPath, { flags: 'a' }));
  } catch (err) {
    for (const w of writers) w.destroy();
    throw err;
  } finally {
    await rm(truthBPath, { force: true });
  }
  await writeFile(paths.definitionPath, `${JSON.stringify(CASH_DEFINITION, null, 2)}\n`, 'utf8');
  return {
    ...paths,
    ledgerRows: ledger.dataLines,
    bankRows: bank.dataLines,
    kinds,
    groups,
    withoutCounterpart,
    firstDate: dates.isoOf(days[0] as number),
    lastDate: dates.isoOf(days[days.length - 1] as number),
  };
}

function pushTo<T>(byDay: Map<number, T[]>, idx: number, row: T): void {
  const list = byDay.get(idx);
  if (list) list.push(row);
  else byDay.set(idx, [row]);
}

function csv(value: string): string {
  return quoteField(value, ',');
}

function truthLine(side: 'A' | 'B', id: string, tag: TruthTag): string {
  return `${side},${id},${tag.groupId},${tag.matchType},${tag.kind}\n`;
}
