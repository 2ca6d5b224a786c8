/**
 * Character-level difference of two strings, for the grid's Value A / Value B
 * cells and the break detail: which characters of A are not in B and which of
 * B are not in A. Common prefix and suffix are trimmed first; the middle is
 * compared by a longest common subsequence when it is small enough, else
 * marked changed as a whole, so a long value never costs more than a bounded
 * table (a grid scrolls a million rows).
 */

export interface Segment {
  text: string;
  /** Not in the other value. */
  changed: boolean;
}

export interface CharDiff {
  a: Segment[];
  b: Segment[];
}

/** Largest LCS table (cells) computed per pair; bigger middles are marked changed whole. */
const MAX_CELLS = 40_000;

/** Merges neighbouring characters with the same mark into segments. */
function segments(chars: string[], marks: boolean[]): Segment[] {
  const out: Segment[] = [];
  chars.forEach((c, i) => {
    const last = out.at(-1);
    if (last && last.changed === marks[i]) last.text += c;
    else out.push({ text: c, changed: marks[i]! });
  });
  return out;
}

export function charDiff(a: string, b: string): CharDiff {
  // By code point, so a surrogate pair (an emoji, a rare CJK character) is never split.
  const x = [...a];
  const y = [...b];
  let pre = 0;
  while (pre < x.length && pre < y.length && x[pre] === y[pre]) pre++;
  let suf = 0;
  while (suf < x.length - pre && suf < y.length - pre && x[x.length - 1 - suf] === y[y.length - 1 - suf]) suf++;
  const mx = x.slice(pre, x.length - suf);
  const my = y.slice(pre, y.length - suf);
  const markX = x.map(() => false);
  const markY = y.map(() => false);
  if (mx.length * my.length > MAX_CELLS || mx.length === 0 || my.length === 0) {
    for (let i = 0; i < mx.length; i++) markX[pre + i] = true;
    for (let j = 0; j < my.length; j++) markY[pre + j] = true;
  } else {
    // LCS lengths of suffixes: L[i][j] for mx[i..], my[j..].
    const w = my.length + 1;
    const L = new Uint16Array((mx.length + 1) * w);
    for (let i = mx.length - 1; i >= 0; i--) {
      for (let j = my.length - 1; j >= 0; j--) {
        L[i * w + j] = mx[i] === my[j] ? L[(i + 1) * w + j + 1]! + 1 : Math.max(L[(i + 1) * w + j]!, L[i * w + j + 1]!);
      }
    }
    let i = 0;
    let j = 0;
    while (i < mx.length && j < my.length) {
      if (mx[i] === my[j]) {
        i++;
        j++;
      } else if (L[(i + 1) * w + j]! >= L[i * w + j + 1]!) markX[pre + i++] = true;
      else markY[pre + j++] = true;
    }
    for (; i < mx.length; i++) markX[pre + i] = true;
    for (; j < my.length; j++) markY[pre + j] = true;
  }
  return { a: segments(x, markX), b: segments(y, markY) };
}

/** Whether a break's values are strings worth a character diff (a text field that differs on both sides). */
export function wantsCharDiff(row: { diffType: string; fieldType: string | null; valueA: string | null; valueB: string | null } | undefined): boolean {
  return row !== undefined && row.diffType === 'MISMATCH' && row.fieldType === 'string' && row.valueA !== null && row.valueB !== null && row.valueA !== row.valueB;
}
