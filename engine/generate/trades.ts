import { formatScaled, notionalCents } from './amounts.ts';
import { addBusinessDays, dayOf, DateTable } from './calendar.ts';
import { quoteField } from './csv-writer.ts';
import type { Rng } from './prng.ts';
import { BOOKS, buildSecurities, COUNTERPARTIES, skewedTable, type Security } from './reference-data.ts';

/** One trade as both systems should see it; amounts are exact integers. */
export interface Trade {
  id: string;
  tradeDay: number;
  settleDay: number;
  side: 'BUY' | 'SELL';
  counterparty: string;
  isin: string;
  quantity: number;
  /** Price in 1/10,000 units (4 dp). */
  priceUnits: number;
  /** Notional in cents; the B side may carry a negated or converted value. */
  notionalCents: number;
  currency: string;
  book: string;
}

/** The B side of a trade: a Trade whose notional may instead be written verbatim (e.g. 3 dp). */
export interface BRecord extends Trade {
  /** Overrides notionalCents, dot-decimal; used for "in thousands" values at 3 dp. */
  notionalText?: string;
}

export const A_HEADER = 'TradeID,TradeDate,SettleDate,Side,Counterparty,ISIN,Quantity,Price,Notional,Currency,Book\n';
export const B_HEADER = 'trade_ref;trade_dt;settle_dt;buy_sell;cpty;isin;qty;px;net_amount;ccy;book\n';

/** The extract's business date; trades fall in the few weeks before it. */
const AS_OF = dayOf('2024-06-28');

/** Makes plausible trades and writes them in the A (front office) and B (custodian) formats. */
export class TradeFactory {
  readonly securities: Security[];
  readonly dates: DateTable;
  private readonly cptyTable: Uint32Array;
  private readonly securityTable: Uint32Array;
  private readonly bookTable: Uint32Array;

  /** `refRng` builds the reference universe (securities), independent of the row stream. */
  constructor(refRng: Rng) {
    this.securities = buildSecurities(refRng, 800);
    // Room for 15 business days back, +3 settlement, and +-2 day timing breaks.
    this.dates = new DateTable(AS_OF - 40, AS_OF + 20);
    this.cptyTable = skewedTable(COUNTERPARTIES.length, 0.9);
    this.securityTable = skewedTable(this.securities.length, 0.8);
    this.bookTable = skewedTable(BOOKS.length, 0.6);
  }

  /** A new trade with the given id, drawn from `rng`. */
  make(rng: Rng, id: string): Trade {
    const security = this.securities[this.securityTable[(rng.next() * 4096) | 0] as number] as Security;
    const quantity = drawQuantity(rng);
    // Trade prices scatter +-3% around the security's level; most print to the cent.
    let priceUnits = Math.max(1, Math.round(security.basePriceUnits * (0.97 + 0.06 * rng.next())));
    if (rng.chance(0.7)) priceUnits = Math.max(100, Math.round(priceUnits / 100) * 100);
    // Mostly yesterday's and today's flow, with a tail of late bookings.
    let back = 0;
    while (back < 15 && rng.chance(0.5)) back++;
    const tradeDay = addBusinessDays(AS_OF, -back);
    const r = rng.next();
    const settleDay = addBusinessDays(tradeDay, r < 0.88 ? 2 : r < 0.97 ? 1 : 3);
    return {
      id,
      tradeDay,
      settleDay,
      side: rng.chance(0.52) ? 'BUY' : 'SELL',
      counterparty: COUNTERPARTIES[this.cptyTable[(rng.next() * 4096) | 0] as number] as string,
      isin: security.isin,
      quantity,
      priceUnits,
      notionalCents: notionalCents(quantity, priceUnits),
      currency: security.currency,
      book: BOOKS[this.bookTable[(rng.next() * 4096) | 0] as number] as string,
    };
  }

  /** A line of a.csv: ISO dates, dot decimals, RFC 4180 quoting. */
  formatA(t: Trade): string {
    const d = this.dates;
    return `${t.id},${d.isoOf(t.tradeDay)},${d.isoOf(t.settleDay)},${t.side},${quoteField(t.counterparty, ',')},${t.isin},${t.quantity},${formatScaled(t.priceUnits, 4)},${formatScaled(t.notionalCents, 2)},${t.currency},${quoteField(t.book, ',')}\n`;
  }

  /**
   * A line of b.csv with the custodian's quirks, none of which is a break under the
   * definition: dd/mm/yyyy dates, decimal comma, B/S, some lower-case currencies,
   * and surrounding spaces on some string values (trimmed by the engine).
   */
  formatB(t: BRecord, quirks: Rng): string {
    const d = this.dates;
    const notional = t.notionalText ?? formatScaled(t.notionalCents, 2);
    const ccy = quirks.chance(0.2) ? t.currency.toLowerCase() : t.currency;
    const cpty = quirks.chance(0.15) ? pad(t.counterparty, quirks) : t.counterparty;
    const isin = quirks.chance(0.03) ? pad(t.isin, quirks) : t.isin;
    const book = quirks.chance(0.05) ? pad(t.book, quirks) : t.book;
    return `${t.id};${d.dmyOf(t.tradeDay)};${d.dmyOf(t.settleDay)};${t.side === 'BUY' ? 'B' : 'S'};${quoteField(cpty, ';')};${quoteField(isin, ';')};${t.quantity};${formatScaled(t.priceUnits, 4).replace('.', ',')};${notional.replace('.', ',')};${ccy};${quoteField(book, ';')}\n`;
  }
}

/** Lot sizes: odd lots, round lots, mid-size and block trades (max 500,000 keeps maths exact). */
function drawQuantity(rng: Rng): number {
  const r = rng.next();
  if (r < 0.04) return rng.int(1, 9);
  if (r < 0.6) return 100 * rng.int(1, 100);
  if (r < 0.9) return 10 * rng.int(100, 5000);
  return 1000 * rng.int(10, 500);
}

/** Surrounding spaces only, never inside the value, so trimming restores it exactly. */
function pad(value: string, rng: Rng): string {
  const left = rng.int(0, 2);
  const right = left === 0 ? rng.int(1, 2) : rng.int(0, 2);
  return ' '.repeat(left) + value + ' '.repeat(right);
}
