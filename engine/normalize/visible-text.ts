/**
 * A value quoted in a message with its invisible characters named ("1<U+00A0>234,56"):
 * a no-break space, a bidi mark or a zero-width space prints as a space or as nothing,
 * so a user reading 'expected …, got "1 234,56"' could not see why it was refused.
 * The same text in JavaScript (a local run's rejects) and in DuckDB SQL (a cluster
 * run's rejects, compared with the local ones), from one list.
 */
const INVISIBLE: readonly number[] = [
  // Control characters and the Unicode spaces other than " " (what trim removes at the ends).
  ...Array.from({ length: 0x20 }, (_, i) => i), 0x7f, 0x85, 0xa0, 0xad, 0x1680, 0x180e,
  ...Array.from({ length: 0x10 }, (_, i) => 0x2000 + i), // U+2000–U+200F: spaces, zero-width space and joiners, bidi marks
  0x2028, 0x2029, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x202f, 0x205f, 0x2060, 0x2066, 0x2067, 0x2068, 0x2069, 0x3000, 0xfeff,
];

/** "U+00A0": how a code point is named in messages. */
export function codePointName(c: string): string {
  return `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

const marker = (cp: number): string => `<${codePointName(String.fromCodePoint(cp))}>`;
const INVISIBLE_SET = new Set(INVISIBLE);

/** The value with each invisible character written as <U+XXXX>. */
export function visibleText(value: string): string {
  let out = '';
  for (const ch of value) out += INVISIBLE_SET.has(ch.codePointAt(0)!) ? marker(ch.codePointAt(0)!) : ch;
  return out;
}

/** DuckDB SQL: `visibleText` of a VARCHAR expression. */
export function visibleTextSql(x: string): string {
  let named = x;
  // chr(): a NUL cannot be written in a string literal.
  for (const cp of INVISIBLE) named = `replace(${named}, chr(${cp}), '${marker(cp)}')`;
  return named;
}
