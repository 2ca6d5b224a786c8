import { readFileSync } from 'node:fs';
import { splitCsvLine } from '../testing/split-csv-line.ts';

/**
 * Test-only readers for the generated cash files and an independent reading of the
 * definition's `similar` and `reference` conditions, so tests can check the data
 * is matchable by the evidence the rules use (not by the generator's own code).
 */

/** A CSV file as records keyed by its header. */
export function readCsv(path: string): Record<string, string>[] {
  const [head = '', ...lines] = readFileSync(path, 'utf8').trimEnd().split('\n');
  const header = splitCsvLine(head);
  return lines.map((line) => {
    const cells = splitCsvLine(line);
    if (cells.length !== header.length) throw new Error(`expected ${header.length} cells: ${line}`);
    return Object.fromEntries(header.map((h, i) => [h, cells[i] as string]));
  });
}

// Written again here, not imported from counterparties.ts: the tests check the generated
// names against the documented rule, independently of the generator's own code.
const LEGAL_WORDS = new Set(['LTD', 'LIMITED', 'INC', 'PLC', 'GMBH', 'AG', 'SA', 'SAS', 'BV', 'NV', 'LLC', 'CORP', 'CO']);

/** A name as match/definition.ts describes `similar`: upper case, letters and digits, legal forms dropped. */
export function nameForSimilarity(name: string): string {
  return name
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, ' ')
    .split(' ')
    .filter((w) => w !== '' && !LEGAL_WORDS.has(w))
    .join(' ');
}

/** Jaro-Winkler similarity (prefix up to 4, scaling 0.1). */
export function jaroWinkler(s1: string, s2: string): number {
  if (s1 === s2) return 1;
  if (s1 === '' || s2 === '') return 0;
  const window = Math.max(0, Math.floor(Math.max(s1.length, s2.length) / 2) - 1);
  const m1: boolean[] = new Array<boolean>(s1.length).fill(false);
  const m2: boolean[] = new Array<boolean>(s2.length).fill(false);
  let matches = 0;
  for (let i = 0; i < s1.length; i++) {
    for (let j = Math.max(0, i - window); j < Math.min(s2.length, i + window + 1); j++) {
      if (!m2[j] && s1[i] === s2[j]) {
        m1[i] = m2[j] = true;
        matches++;
        break;
      }
    }
  }
  if (matches === 0) return 0;
  let transpositions = 0;
  let k = 0;
  for (let i = 0; i < s1.length; i++) {
    if (!m1[i]) continue;
    while (!m2[k]) k++;
    if (s1[i] !== s2[k]) transpositions++;
    k++;
  }
  const jaro = (matches / s1.length + matches / s2.length + (matches - transpositions / 2) / matches) / 3;
  let prefix = 0;
  while (prefix < 4 && s1[prefix] !== undefined && s1[prefix] === s2[prefix]) prefix++;
  return jaro + prefix * 0.1 * (1 - jaro);
}

export function nameSimilarity(a: string, b: string): number {
  return jaroWinkler(nameForSimilarity(a), nameForSimilarity(b));
}

const alnum = (s: string): string => s.toUpperCase().replace(/[^A-Z0-9]/g, '');

/** The `reference` condition: the reference (letters and digits) in the text whole, or cut short to at least minLength. */
export function referenceFound(reference: string, text: string, minLength: number): 'whole' | 'part' | 'none' {
  const ref = alnum(reference);
  const hay = alnum(text);
  if (ref === '') return 'none';
  if (hay.includes(ref)) return 'whole';
  for (let n = ref.length - 1; n >= minLength; n--) if (hay.includes(ref.slice(0, n))) return 'part';
  return 'none';
}
