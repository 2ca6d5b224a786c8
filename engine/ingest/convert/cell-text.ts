/**
 * Cell value → CSV text, written so the engine can later cast exactly:
 * numbers as shortest round-trip decimals (never exponent form), dates as ISO.
 */

/** Shortest round-trip decimal text of a number, exponent form expanded ("1e-7" → "0.0000001"). */
export function numberText(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Object.is(n, -0)) return '0';
  const s = String(n); // JS already gives the shortest string that round-trips
  return s.includes('e') ? expandExponent(s) : s;
}

/** Rewrites JS exponent notation ("-1.25e-7", "1e+21") as plain decimal digits. */
export function expandExponent(s: string): string {
  const m = /^(-?)(\d+)(?:\.(\d+))?e([+-]\d+)$/.exec(s);
  if (!m) return s;
  const [, sign = '', int = '', frac = '', exp = '0'] = m;
  const digits = int + frac;
  const point = int.length + Number(exp); // position of the decimal point within `digits`
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

const DAY_MS = 86_400_000;
const EPOCH_1900 = Date.UTC(1899, 11, 30); // serial 0; Excel's fake 1900-02-29 is handled below
const EPOCH_1904 = Date.UTC(1904, 0, 1);
/** Excel's serial 60 in the 1900 system, as Excel displays it: no such date. */
const PHANTOM_1900_02_29 = '1900-02-29';

/**
 * Excel date serial → "yyyy-mm-dd", "yyyy-mm-dd hh:mm:ss[.mmm]", or "hh:mm:ss[.mmm]" for a
 * pure time (serial < 1). Rounded to the millisecond as Excel stores ~1 µs precision.
 */
export function serialDateText(serial: number, date1904: boolean): string {
  if (!Number.isFinite(serial) || serial < 0) return numberText(serial);
  let days = Math.floor(serial);
  let ms = Math.round((serial - days) * DAY_MS);
  if (ms >= DAY_MS) {
    days += 1;
    ms -= DAY_MS;
  }
  const time = timeText(ms);
  if (days === 0) return time;
  const phantom = !date1904 && days === 60;
  // Lotus 1-2-3 bug kept by Excel: serial 60 is 1900-02-29, so serials 1..59 are one day late.
  if (!date1904 && days < 60) days += 1;
  const d = new Date((date1904 ? EPOCH_1904 : EPOCH_1900) + days * DAY_MS);
  // Serial 60 is the day that never was: written as Excel shows it, so a date field rejects it
  // (at its row and column) instead of reading it as 1900-02-28, serial 59's date.
  const date = phantom ? PHANTOM_1900_02_29 : `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}`;
  return ms === 0 ? date : `${date} ${time}`;
}

function timeText(ms: number): string {
  const s = Math.floor(ms / 1000);
  const hms = `${pad(Math.floor(s / 3600), 2)}:${pad(Math.floor(s / 60) % 60, 2)}:${pad(s % 60, 2)}`;
  return ms % 1000 === 0 ? hms : `${hms}.${pad(ms % 1000, 3)}`;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** ISO 8601 cell text (t="d" cells) → same shape as serial dates; unparseable text passes through. */
export function isoDateText(text: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}:\d{2})(\.\d+)?)?Z?$/.exec(text.trim());
  if (!m) return text;
  const [, date = '', time, frac = ''] = m;
  const fracDigits = frac.replace(/0+$/, '');
  if (time === undefined || (time === '00:00:00' && fracDigits.length <= 1)) return date;
  return `${date} ${time}${fracDigits.length > 1 ? fracDigits : ''}`;
}

// Built-in number formats that are dates/times (14-22, 45-47) plus the East Asian
// locale date ids (27-36, 50-58) whose codes are not written into styles.xml.
const BUILTIN_DATE_IDS = new Set([14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 45, 46, 47, 50, 51, 52, 53, 54, 55, 56, 57, 58]);

/** True when a number format id/code displays a date or time (so the serial is a date). */
export function isDateFormat(numFmtId: number, code: string | undefined): boolean {
  if (BUILTIN_DATE_IDS.has(numFmtId)) return true;
  if (!code) return false;
  const section = code.split(';')[0] ?? ''; // the positive-number section decides
  const stripped = section
    .replace(/"[^"]*"/g, '') // quoted literals
    .replace(/\\./g, '') // escaped characters
    .replace(/[_*]./g, '') // padding and fill characters
    .replace(/\[(?![hms]+\])[^\]]*\]/gi, ''); // [Red], [$-409], [>=100]; keep elapsed [h]/[mm]/[ss]
  return /[ymdhs]/i.test(stripped);
}

/** Decodes OOXML `_xHHHH_` escapes (how Excel stores control characters such as CR in strings). */
export function unescapeXString(s: string): string {
  if (!s.includes('_x')) return s;
  return s.replace(/_x([0-9A-Fa-f]{4})_/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}
