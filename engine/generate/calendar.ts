/**
 * Dates as whole days since 1970-01-01 (UTC), so business-day arithmetic is integer
 * maths. Formatted strings come from a small prebuilt table: formatting a Date for
 * every one of millions of rows would dominate generation time.
 */
const MS_PER_DAY = 86_400_000;

/** Day number of an ISO date (yyyy-mm-dd). */
export function dayOf(iso: string): number {
  return Math.round(Date.parse(`${iso}T00:00:00Z`) / MS_PER_DAY);
}

/** True on Saturday and Sunday (1970-01-01 was a Thursday). No holiday calendar: weekends only. */
export function isWeekend(day: number): boolean {
  const weekday = (((day + 4) % 7) + 7) % 7; // 0 = Sunday
  return weekday === 0 || weekday === 6;
}

/** Moves n business days forward (n > 0) or back (n < 0). */
export function addBusinessDays(day: number, n: number): number {
  const step = n < 0 ? -1 : 1;
  let left = Math.abs(n);
  let d = day;
  while (left > 0) {
    d += step;
    if (!isWeekend(d)) left--;
  }
  return d;
}

/** ISO and dd/mm/yyyy strings for every day in [first, last]. */
export class DateTable {
  private readonly iso: string[] = [];
  private readonly dmy: string[] = [];

  constructor(
    private readonly first: number,
    last: number,
  ) {
    for (let d = first; d <= last; d++) {
      const s = new Date(d * MS_PER_DAY).toISOString().slice(0, 10);
      this.iso.push(s);
      this.dmy.push(`${s.slice(8, 10)}/${s.slice(5, 7)}/${s.slice(0, 4)}`);
    }
  }

  /** yyyy-mm-dd (Source A). */
  isoOf(day: number): string {
    return this.lookup(this.iso, day);
  }

  /** dd/mm/yyyy (Source B). */
  dmyOf(day: number): string {
    return this.lookup(this.dmy, day);
  }

  private lookup(table: readonly string[], day: number): string {
    const s = table[day - this.first];
    if (s === undefined) throw new RangeError(`day ${day} is outside the date table`);
    return s;
  }
}
