import type { Choice } from './types.ts';

/**
 * Does the first record name the columns? Each column votes: a text cell over
 * numbers or dates says "header", a number or date over the same says "data",
 * a first cell that recurs among the values below says "data".
 */

const NUMBER = /^[(+-]?[\d.,' ]*\d[\d.,' ]*\)?-?$/;
const DATE = /^(\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}|\d{1,2}[- ][A-Za-z]{3}[- ]\d{2,4})([ T]\d{1,2}:\d{2}.*)?$/;
const NAME = /^[\p{L}_][\p{L}\p{N} _.\-/#()%&]*$/u;

type Shape = 'number' | 'date' | 'text' | 'empty';

function shapeOf(v: string | undefined): Shape {
  const t = (v ?? '').trim();
  if (t === '') return 'empty';
  if (DATE.test(t)) return 'date';
  if (NUMBER.test(t)) return 'number';
  return 'text';
}

/** Decides whether `records[0]` is a header row. */
export function detectHeader(records: string[][]): Choice<boolean> {
  if (records.length < 2) {
    return { value: true, confidence: 0.5, reason: 'too few records to tell; a header row assumed' };
  }
  const first = records[0]!;
  const rest = records.slice(1, 101);
  let score = 0;
  const notes: string[] = [];
  for (let c = 0; c < first.length; c++) {
    const h = first[c] ?? '';
    const hShape = shapeOf(h);
    const shapes = rest.map((r) => shapeOf(r[c])).filter((s) => s !== 'empty');
    if (shapes.length === 0) continue;
    const typed = shapes.filter((s) => s === 'number' || s === 'date').length / shapes.length;
    if (typed >= 0.9 && hShape === 'text') {
      score += 2;
      if (notes.length < 1) notes.push(`"${h.trim()}" sits over ${shapes[0] === 'date' ? 'dates' : 'numbers'}`);
    } else if (typed >= 0.9 && (hShape === 'number' || hShape === 'date')) {
      score -= 2;
      if (notes.length < 1) notes.push(`the first record holds ${hShape === 'date' ? 'a date' : 'a number'} (${h.trim()}) like the rows below`);
    } else if (hShape !== 'empty') {
      if (rest.some((r) => (r[c] ?? '').trim() === h.trim())) score -= 1;
      else if (NAME.test(h.trim())) score += 0.5;
    }
  }
  const distinct = new Set(first.map((h) => h.trim().toLowerCase())).size === first.length;
  if (!distinct) score -= 1;
  if (score > 0) {
    return {
      value: true,
      confidence: Math.min(0.99, 0.6 + score / 10),
      reason: notes[0] ? `header row: ${notes[0]}` : 'header row: the first record holds distinct names that do not recur below',
    };
  }
  if (score < 0) {
    return { value: false, confidence: Math.min(0.95, 0.6 + -score / 10), reason: notes[0] ? `no header: ${notes[0]}` : 'no header: the first record looks like data' };
  }
  return { value: true, confidence: 0.5, reason: 'the first record could be names or data; a header row assumed' };
}
