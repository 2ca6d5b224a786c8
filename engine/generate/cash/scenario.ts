import { addBusinessDays, dayOf, isWeekend } from '../calendar.ts';
import type { Rng } from '../prng.ts';
import { monthEndPostings, unrecordedLine } from './bank-only.ts';
import { instalments, manyToMany, settlement } from './group-events.ts';
import type { EventContext } from './rows.ts';
import { depositInTransit, indistinguishableTwins, oneToOne, outstandingPayment } from './single-events.ts';

/** The first value date of a generated statement (a Monday). */
export const CASH_START_DATE = '2026-01-05';

/**
 * Events per ledger-row slot. Groups take ~6% of all rows, rows without a
 * counterpart ~4% a side, the rest are 1:1 pairs. Ledger-only items crowd at the
 * statement's end (cheques not yet presented, deposits still in transit), so their
 * daily rate is weighted towards the last days (see `endWeights`).
 */
export const EVENT_RATES = {
  instalments: 0.011,
  settlement: 0.012,
  manyToMany: 0.006,
  feeOneToOne: 0.003,
  twins: 0.0007,
  outstanding: 0.026,
  inTransit: 0.014,
  /** Bank-only lines per ledger row of the day. */
  unrecorded: 0.041,
} as const;

/** The statement's business days: enough that a day holds ~1,500 ledger rows, 20 to 260 of them. */
export function businessDays(rows: number, start = CASH_START_DATE): number[] {
  const count = Math.min(260, Math.max(20, Math.round(rows / 1_500)));
  let day = dayOf(start);
  while (isWeekend(day)) day++;
  const days = [day];
  while (days.length < count) {
    day = addBusinessDays(day, 1);
    days.push(day);
  }
  return days;
}

/** The month (0-11) of a day number. */
function monthOf(day: number): number {
  return new Date(day * 86_400_000).getUTCMonth();
}

/** Per-day weights with mean 1: `heavy` on the last `n` days, `light` before, so the statement's total stays the configured rate. */
function endWeights(days: number, n: number, heavy: number, light: number): number[] {
  const raw = Array.from({ length: days }, (_, i) => (i >= days - n ? heavy : light));
  const mean = raw.reduce((s, w) => s + w, 0) / days;
  return raw.map((w) => w / mean);
}

/**
 * Draws the statement day by day: each day's ledger rows as events (pairs, groups,
 * ledger-only items), then the day's bank-only lines. Every row an event makes is
 * dated on or after the event's day, so a caller may write out everything up to
 * the day once the day is drawn.
 */
export class CashScenario {
  readonly days: number[];
  private readonly ctx: EventContext;
  /** Ledger rows drawn so far. */
  private ledgerCount = 0;
  private readonly budgets: number[];
  private readonly outstandingWeight: number[];
  private readonly transitWeight: number[];

  constructor(ctx: EventContext, rows: number, days: number[]) {
    this.days = days;
    // Counts the ledger rows each event makes, so a day stops at its budget whatever the events' sizes.
    this.ctx = {
      ...ctx,
      ledger: (row) => {
        this.ledgerCount++;
        ctx.ledger(row);
      },
    };
    // Mondays and month-ends are busier.
    const weights = days.map((d, i) => {
      const monday = (((d + 4) % 7) + 7) % 7 === 1;
      const monthEnd = i === days.length - 1 || monthOf(days[i + 1] as number) !== monthOf(d);
      return (monday ? 1.15 : 1) * (monthEnd ? 1.3 : 1);
    });
    const total = weights.reduce((s, w) => s + w, 0);
    let carry = 0;
    this.budgets = weights.map((w) => {
      const exact = (rows * w) / total + carry;
      const whole = Math.floor(exact);
      carry = exact - whole;
      return whole;
    });
    const n = days.length;
    this.outstandingWeight = endWeights(n, 3, 4, 1);
    this.transitWeight = endWeights(n, 2, 8, 0.3);
  }

  /** Draws day `idx`: about its budget of ledger rows and the bank-only lines that go with them. */
  drawDay(idx: number): void {
    const { ctx } = this;
    const budget = this.budgets[idx] as number;
    const rng: Rng = ctx.rng;
    const pOutstanding = EVENT_RATES.outstanding * (this.outstandingWeight[idx] as number);
    const pTransit = EVENT_RATES.inTransit * (this.transitWeight[idx] as number);
    let ledgerRows = 0;
    const count = (fn: () => void): void => {
      const before = this.ledgerCount;
      fn();
      ledgerRows += this.ledgerCount - before;
    };
    while (ledgerRows < budget) {
      let r = rng.next();
      const take = (p: number): boolean => {
        if (r < p) return true;
        r -= p;
        return false;
      };
      if (take(pOutstanding)) count(() => outstandingPayment(ctx, idx));
      else if (take(pTransit)) count(() => depositInTransit(ctx, idx));
      else if (take(EVENT_RATES.instalments)) count(() => instalments(ctx, idx));
      else if (take(EVENT_RATES.settlement)) count(() => settlement(ctx, idx));
      else if (take(EVENT_RATES.manyToMany)) count(() => manyToMany(ctx, idx));
      else if (take(EVENT_RATES.feeOneToOne)) count(() => oneToOne(ctx, idx, true));
      else if (take(EVENT_RATES.twins)) count(() => indistinguishableTwins(ctx, idx));
      else count(() => oneToOne(ctx, idx, false));
    }
    const unrecorded = Math.floor(budget * EVENT_RATES.unrecorded + rng.next());
    for (let i = 0; i < unrecorded; i++) unrecordedLine(ctx, idx);
    const day = this.days[idx] as number;
    const next = this.days[idx + 1];
    if (next === undefined || monthOf(next) !== monthOf(day)) monthEndPostings(ctx, idx, monthOf(day));
  }
}
