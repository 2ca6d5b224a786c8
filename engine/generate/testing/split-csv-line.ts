/** What the generators' tests read their own CSV output with: one line, quote-aware (RFC 4180), strict. */

/** Quote-aware RFC 4180 splitter for one line; throws on malformed quoting. */
export function splitCsvLine(line: string, delim = ','): string[] {
  const out: string[] = [];
  let i = 0;
  for (;;) {
    let value = '';
    if (line[i] === '"') {
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q < 0) throw new Error(`unterminated quote: ${line}`);
        value += line.slice(i, q);
        i = q + 1;
        if (line[i] === '"') {
          value += '"';
          i++;
        } else break;
      }
      if (i < line.length && line[i] !== delim) throw new Error(`text after closing quote: ${line}`);
    } else {
      const end = line.indexOf(delim, i);
      value = line.slice(i, end < 0 ? line.length : end);
      if (value.includes('"')) throw new Error(`bare quote in unquoted field: ${line}`);
      i += value.length;
    }
    out.push(value);
    if (i >= line.length) return out;
    i++; // skip the delimiter
  }
}
