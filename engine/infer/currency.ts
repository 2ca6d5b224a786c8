import type { DuckDBConnection } from '@duckdb/node-api';
import { queryOne } from '../duckdb/open.ts';
import type { TypedColumn } from './column-types.ts';
import type { FieldPlan } from './fields.ts';
import type { Choice } from './types.ts';

/**
 * The field holding the currency, for the per-currency control totals: a
 * text field whose every value is a three-letter code (after case folding)
 * over a small domain. A name like "ccy" or "currency" breaks ties.
 */

const NAME = /^(ccy|currency|curr|cur|currency_?code|ccy_?code|iso_?ccy)$/i;

/** Picks the currency field, or undefined when no field looks like one (or there is no decimal field to total). */
export async function chooseCurrency(
  conn: DuckDBConnection,
  plans: readonly FieldPlan[],
  /** Per column, its sampled values that are three-letter codes; a wide file's sample counts them in long form. */
  countCodes?: (cols: readonly TypedColumn[]) => Promise<number[]>,
): Promise<Choice<string> | undefined> {
  if (!plans.some((p) => p.type === 'decimal' && p.compare)) return undefined;
  const texts = plans.filter((p) => p.type === 'string' && p.compare && p.a.distinctUpper <= 300 && p.a.n > 0);
  if (texts.length === 0) return undefined;
  let counts: number[];
  if (countCodes) counts = await countCodes(texts.map((p) => p.a));
  else {
    const row = await queryOne<Record<string, string>>(
      conn,
      `SELECT ${texts.map((p, i) => `count(*) FILTER (WHERE regexp_full_match(upper(${p.a.ref}), '[A-Z]{3}')) AS c${i}`).join(', ')} FROM infer_s_a`,
    );
    counts = texts.map((_, i) => Number(row[`c${i}`]));
  }
  const fits = texts.filter((p, i) => counts[i] === p.a.n);
  if (fits.length === 0) return undefined;
  const named = fits.filter((p) => NAME.test(p.a.name) || NAME.test(p.b.name));
  const pick = (named.length > 0 ? named : fits)[0]!;
  const byName = named.length > 0;
  return {
    value: pick.a.name,
    confidence: byName ? 0.95 : fits.length === 1 ? 0.75 : 0.5,
    reason: `every sampled value is a three-letter code${byName ? ' and the name says currency' : ''}; used for the control totals per currency`,
  };
}
