import type { ResolvedField } from '../definition/resolve.ts';
import { businessDayNumber } from '../normalize/adjust-sql.ts';
import { ident } from '../sql/quote.ts';
import type { MatchPlan, PlannedRule } from './plan.ts';

/**
 * The working tables `m_rows_a` / `m_rows_b`: the rows a side offers to
 * matching (loaded, not rejected, id not duplicated on that side), with only
 * the columns the rules read, under short internal names, and the derived
 * values computed once per row rather than once per candidate pair:
 *   f<i>  the field's typed value
 *   d<i>  its calendar day number (days since 1970-01-01; a timestamp's date)
 *   w<i>  its business-day number (normalize/adjust-sql.ts businessDayNumber)
 *   r<i>  a reference: upper-case letters and digits only, accents stripped
 *   n<i>  a name: upper case, non-alphanumerics → space, legal-form words dropped
 * `<i>` is the field's position in this list, so user names never reach the
 * SQL except through `ident` in the working set's select list.
 */

export type Side = 'a' | 'b';
export const otherSide = (s: Side): Side => (s === 'a' ? 'b' : 'a');

/** The legal-form words a `similar` condition drops from names (match/definition.ts documents the list). */
export const LEGAL_FORM_WORDS = ['LTD', 'LIMITED', 'INC', 'PLC', 'GMBH', 'AG', 'SA', 'SAS', 'BV', 'NV', 'LLC', 'CORP', 'CO'] as const;

type Derived = 'day' | 'businessDay' | 'reference' | 'name';
const PREFIX: Record<Derived, string> = { day: 'd', businessDay: 'w', reference: 'r', name: 'n' };

export class MatchColumns {
  private readonly fields: ResolvedField[] = [];
  private readonly derived = new Map<string, { kind: Derived; i: number }>();

  constructor(plan: MatchPlan) {
    if (plan.amount) this.value(plan.amount);
    for (const rule of plan.rules) this.register(rule);
  }

  /** The column holding the field's typed value. */
  value(f: ResolvedField): string {
    return `f${this.indexOf(f)}`;
  }

  /** The day-number column a rule's date condition compares (business days when the rule counts them). */
  dayNumber(rule: PlannedRule): string {
    const d = rule.date!;
    return this.derive(d.field, d.businessDays !== undefined ? 'businessDay' : 'day');
  }

  reference(f: ResolvedField): string {
    return this.derive(f, 'reference');
  }

  name(f: ResolvedField): string {
    return this.derive(f, 'name');
  }

  /** The statement creating `m_rows_<side>` from the staged view. */
  workingSetSql(side: Side, dupKeysTable: string): string {
    const derived = [...this.derived.entries()];
    // A name's three regular expressions run once per distinct name (a few thousand counterparties
    // among 100,000 rows), joined back on the raw value: per row they cost more than the rest of the table.
    const names = derived.filter(([, { kind }]) => kind === 'name');
    const cols = [
      's.__rid AS rid',
      'coalesce(s.__key_text, CAST(s.__key AS VARCHAR)) AS id',
      ...this.fields.map((f, i) => `s.${ident(f.name)} AS f${i}`),
      ...derived.map(([col, { kind, i }]) => (kind === 'name' ? `__names_${col}.v AS ${col}` : `${derivedSql(kind, `s.${ident(this.fields[i]!.name)}`, this.fields[i]!)} AS ${col}`)),
    ];
    const joins = names.map(([col, { i }]) => {
      const x = ident(this.fields[i]!.name);
      return `LEFT JOIN (SELECT k, ${derivedSql('name', 'k', this.fields[i]!)} AS v FROM (SELECT DISTINCT ${x} AS k FROM ${side})) __names_${col} ON __names_${col}.k = s.${x}`;
    });
    return `CREATE OR REPLACE TEMP TABLE m_rows_${side} AS
            SELECT ${cols.join(', ')}
              FROM ${side} s ${joins.join(' ')}
             WHERE NOT s.__bad AND s.__key NOT IN (SELECT __key FROM ${dupKeysTable} WHERE side = '${side}')
             ORDER BY s.__rid`;
  }

  /**
   * The working columns a rule reads (the same list `register` creates): a rule's free-row tables
   * copy only these, not every rule's columns, since copying 100,000 rows' texts per rule costs more
   * than the rule's own tests.
   */
  ruleColumns(rule: PlannedRule): string[] {
    const cols = [...rule.equal, ...rule.groupBy].map((f) => this.value(f));
    if (rule.amount) cols.push(this.value(rule.amount.field));
    if (rule.date) cols.push(this.dayNumber(rule));
    if (rule.reference) cols.push(this.reference(rule.reference.field));
    for (const s of rule.similar) cols.push(this.name(s.field));
    return [...new Set(cols)];
  }

  private register(rule: PlannedRule): void {
    for (const f of [...rule.equal, ...rule.groupBy]) this.value(f);
    if (rule.amount) this.value(rule.amount.field);
    if (rule.date) this.dayNumber(rule);
    if (rule.reference) this.reference(rule.reference.field);
    for (const s of rule.similar) this.name(s.field);
  }

  private indexOf(f: ResolvedField): number {
    let i = this.fields.findIndex((x) => x.name === f.name);
    if (i < 0) i = this.fields.push(f) - 1;
    return i;
  }

  private derive(f: ResolvedField, kind: Derived): string {
    const i = this.indexOf(f);
    const col = `${PREFIX[kind]}${i}`;
    this.derived.set(col, { kind, i });
    return col;
  }
}

/** The derived value of `x`, an expression holding field `f`'s value. */
function derivedSql(kind: Derived, x: string, f: ResolvedField): string {
  const date = f.type === 'timestamp' ? `CAST(${x} AS DATE)` : x;
  switch (kind) {
    case 'day':
      return `CAST(date_diff('day', DATE '1970-01-01', ${date}) AS BIGINT)`;
    case 'businessDay':
      return `CAST(${businessDayNumber(date)} AS BIGINT)`;
    case 'reference':
      return `regexp_replace(upper(strip_accents(${x})), '[^A-Z0-9]', '', 'g')`;
    case 'name':
      return `trim(regexp_replace(regexp_replace(regexp_replace(upper(strip_accents(${x})), '[^A-Z0-9]+', ' ', 'g'),
                  '\\b(${LEGAL_FORM_WORDS.join('|')})\\b', '', 'g'), ' +', ' ', 'g'))`;
  }
}
