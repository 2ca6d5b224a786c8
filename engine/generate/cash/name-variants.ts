import type { Rng } from '../prng.ts';

/**
 * How a counterparty's name reaches the bank statement. The bank shows the payer's
 * or payee's account name as the payment message carried it, not the ledger's
 * master data: upper case, legal form dropped, abbreviated, cut to a field width,
 * mistyped once by whoever opened the account, padded with spaces.
 */
export const BANK_NAME_STYLES = ['upper', 'asIs', 'noLegalForm', 'abbreviated', 'truncated', 'typo', 'spaced', 'abbreviatedTruncated'] as const;
export type BankNameStyle = (typeof BANK_NAME_STYLES)[number];

/** How often each style is a counterparty's usual one (upper-cased exact names are the most common). */
const STYLE_WEIGHTS: Record<BankNameStyle, number> = {
  upper: 30,
  asIs: 10,
  noLegalForm: 20,
  abbreviated: 10,
  truncated: 15,
  typo: 5,
  spaced: 5,
  abbreviatedTruncated: 5,
};
const STYLE_TOTAL = Object.values(STYLE_WEIGHTS).reduce((s, w) => s + w, 0);

/** Draws the usual style of one counterparty's name on the statement. */
export function bankStyleFor(rng: Rng): BankNameStyle {
  let r = rng.next() * STYLE_TOTAL;
  for (const style of BANK_NAME_STYLES) {
    r -= STYLE_WEIGHTS[style];
    if (r < 0) return style;
  }
  return 'upper';
}

const ABBREVIATIONS: readonly (readonly [RegExp, string])[] = [
  [/\bInternational\b/, 'Intl'],
  [/\bServices\b/, 'Svcs'],
  [/\bCompany\b/, 'Co'],
  [/\bCorporation\b/, 'Corp'],
  [/\bManufacturing\b/, 'Mfg'],
  [/\bHoldings\b/, 'Hldgs'],
  [/\bEngineering\b/, 'Eng'],
  [/\bTechnologies\b/, 'Tech'],
  [/\bLimited\b/, 'Ltd'],
  [/\bSolutions\b/, 'Sol'],
  [/\bPartners\b/, 'Ptnrs'],
  [/\bProperties\b/, 'Props'],
  [/ and /, ' & '],
];

/** The width of the name field in many statement formats (MT940 name lines, older SEPA exports). */
export const BANK_NAME_WIDTH = 20;

function withoutLegalForm(name: string, legalForm: string): string {
  return name.endsWith(legalForm) ? name.slice(0, name.length - legalForm.length).trimEnd() : name;
}

function abbreviate(name: string): string {
  let out = name;
  for (const [re, short] of ABBREVIATIONS) out = out.replace(re, short);
  return out;
}

function truncate(name: string): string {
  return name.slice(0, BANK_NAME_WIDTH).trimEnd();
}

/** One wrong letter: replaced, dropped or swapped with the next, never in the first three (typists rarely miss the start). */
export function typo(name: string, rng: Rng): string {
  const letters: number[] = [];
  for (let i = 3; i < name.length - 1; i++) if (/[A-Za-z]/.test(name[i] as string) && /[A-Za-z]/.test(name[i + 1] as string)) letters.push(i);
  if (letters.length === 0) return name;
  const i = rng.pick(letters);
  const c = name[i] as string;
  switch (rng.int(0, 2)) {
    case 0: {
      const alphabet = 'abcdefghijklmnopqrstuvwxyz';
      let r = alphabet[rng.int(0, 25)] as string;
      if (r === c.toLowerCase()) r = r === 'e' ? 'a' : 'e';
      return name.slice(0, i) + (c === c.toUpperCase() ? r.toUpperCase() : r) + name.slice(i + 1);
    }
    case 1:
      return name.slice(0, i) + name.slice(i + 1);
    default:
      return name.slice(0, i) + (name[i + 1] as string) + c + name.slice(i + 2);
  }
}

/** Doubles one or two of the spaces between words (a padded fixed-width export squeezed badly). */
function spaced(name: string, rng: Rng): string {
  const parts = name.split(' ');
  if (parts.length < 2) return `${name}  `;
  const at = rng.int(1, parts.length - 1);
  return parts.map((p, i) => (i === at ? ` ${p}` : p)).join(' ');
}

/** The name in one style, as it would appear in the statement's counterparty column. */
export function bankName(name: string, legalForm: string, style: BankNameStyle, rng: Rng): string {
  switch (style) {
    case 'upper':
      return name.toUpperCase();
    case 'asIs':
      return name;
    case 'noLegalForm':
      return withoutLegalForm(name, legalForm).toUpperCase();
    case 'abbreviated':
      return abbreviate(name).toUpperCase();
    case 'truncated':
      return truncate(name.toUpperCase());
    case 'typo':
      return typo(name, rng).toUpperCase();
    case 'spaced':
      return spaced(name.toUpperCase(), rng);
    case 'abbreviatedTruncated':
      return truncate(abbreviate(withoutLegalForm(name, legalForm)).toUpperCase());
  }
}
