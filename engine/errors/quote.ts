/**
 * Values from the user's files (headers, column names, sheet names, raw cells, JSON keys)
 * quoted in error messages. A file can hold a 50 MB header or a million columns: a message
 * must stay readable and small enough to cross IPC and fit a terminal, so every quoted
 * value is cut short and every list of values is bounded. The full data stays in the file.
 */

/** The most characters of one value a message quotes. */
export const MAX_QUOTED_CHARS = 200;

/** "abc…(1234 more characters)" when `text` is longer than `max` characters; `text` otherwise. */
export function clipText(text: string, max = MAX_QUOTED_CHARS): string {
  if (text.length <= max) return text;
  let cut = max;
  const last = text.charCodeAt(cut - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut--; // keep a surrogate pair whole
  return `${text.slice(0, cut)}…(${text.length - cut} more characters)`;
}

/** `"value"`, cut short (the quoting messages have always used: plain double quotes). */
export function quoted(value: string, max = MAX_QUOTED_CHARS): string {
  return `"${clipText(value, max)}"`;
}

export interface ListLimits {
  /** The most values listed. */
  maxItems?: number;
  /** Stop listing once the list is this long (the first value is always listed). */
  maxChars?: number;
  /** The most characters of each value. */
  maxItemChars?: number;
}

/** `"a", "b", "c"`, or `"a", "b", … and 998 more` when the list would be too long. */
export function quotedList(values: readonly string[], limits: ListLimits = {}): string {
  const { maxItems = 30, maxChars = 1000, maxItemChars = MAX_QUOTED_CHARS } = limits;
  const parts: string[] = [];
  let length = 0;
  for (const v of values) {
    if (parts.length >= maxItems) break;
    const q = quoted(v, maxItemChars);
    if (parts.length > 0 && length + q.length + 2 > maxChars) break;
    parts.push(q);
    length += q.length + 2;
  }
  const rest = values.length - parts.length;
  return rest > 0 ? `${parts.join(', ')}, … and ${rest} more` : parts.join(', ');
}

/** A bounded copy of values for error details (which cross IPC too): the first `maxItems`, each cut short. */
export function clippedValues(values: readonly string[], maxItems = 1000): string[] {
  return values.slice(0, maxItems).map((v) => clipText(v));
}
