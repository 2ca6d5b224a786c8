import { z } from 'zod';

/**
 * The `matching` block of a recon definition: matching rows that share no key
 * (a ledger against a bank statement, invoices against payments). With it the
 * definition's `key` names each row's id (the A column, and the B column in
 * the key field's `b`), unique per side, and rows are never joined on it: the
 * rules below pair them. docs/MATCHING.md explains the format with examples.
 */

const decimalString = z
  .string()
  .regex(/^\d+(\.\d+)?$/, 'a non-negative decimal written as a string, e.g. "0.01"')
  .describe('A non-negative decimal, as a string so it stays exact.');

/** The largest group a group rule may build, on either side (the search is exponential in it). */
export const MAX_GROUP_SIZE = 10;
export const DEFAULT_GROUP_SIZE = 6;
/** At most this many candidates of one row per block enter a group search (the closest in date first). */
export const DEFAULT_GROUP_CANDIDATES = 12;
export const MAX_GROUP_CANDIDATES = 20;

export const MATCH_TYPES = ['1:1', '1:N', 'N:1', 'N:M'] as const;
export type MatchType = (typeof MATCH_TYPES)[number];

const fieldName = z.string().min(1);

const equalCondition = z
  .object({ equal: fieldName.describe('A field whose normalized values must be equal on both sides (currency, account).') })
  .strict();

const amountCondition = z
  .object({
    amount: z
      .object({
        field: fieldName.optional().describe('The amount field (default: matching.amountField).'),
        abs: decimalString.optional().describe('Absolute tolerance: |A − B| <= abs.'),
        rel: decimalString.optional().describe('Relative tolerance: |A − B| <= rel × max(|A|, |B|).'),
      })
      .strict()
      .describe('Amounts equal (no tolerance given) or within a tolerance. In a group rule, one side\'s amount against the signed sum of the group on the other side.'),
  })
  .strict();

const dateCondition = z
  .object({
    date: z
      .object({
        field: fieldName.optional().describe('The date field (default: matching.dateField).'),
        days: z.number().int().min(0).max(366).optional().describe('Dates at most this many calendar days apart.'),
        businessDays: z.number().int().min(0).max(260).optional().describe('Dates at most this many business days (Monday to Friday) apart.'),
      })
      .strict()
      .describe('Dates within a window (0: the same day). In a group rule, every row of the group within the window of the single row, or of each other for N:M.'),
  })
  .strict();

const referenceCondition = z
  .object({
    reference: z
      .object({
        field: fieldName.describe('The field holding the reference on one side and the free text on the other (e.g. name "reference", b "narrative").'),
        textOn: z.enum(['a', 'b']).default('b').describe('The side whose value is free text (default "b"); the other side\'s value is the reference looked for in it.'),
        minLength: z.number().int().min(3).max(64).default(6).describe('The shortest part of the reference that counts (default 6 letters and digits).'),
      })
      .strict()
      .describe(
        'A reference found in the other side\'s free text, compared on letters and digits only in upper case (dashes, spaces and slashes dropped): found whole, or cut short to at least minLength characters. In a 1:N or N:1 rule it is looked for per member and not required: the share of members found ranks the subsets (not allowed in N:M rules).',
      ),
  })
  .strict();

const similarCondition = z
  .object({
    similar: z
      .object({
        field: fieldName.describe('A text field, such as the counterparty name.'),
        min: z.number().min(0).max(1).describe('The lowest similarity that counts, 0 to 1 (0.85 is a good start for names).'),
      })
      .strict()
      .describe(
        'Text similarity at or above min: Jaro-Winkler similarity of the two values after upper-casing, replacing everything but letters and digits by a space and dropping legal-form words (LTD, LIMITED, INC, PLC, GMBH, AG, SA, SAS, BV, NV, LLC, CORP, CO).',
      ),
  })
  .strict();

export const matchConditionSchema = z.union([equalCondition, amountCondition, dateCondition, referenceCondition, similarCondition]);
export type MatchCondition = z.infer<typeof matchConditionSchema>;

export const matchRuleSchema = z
  .object({
    name: z.string().min(1).max(64).describe('The rule\'s name, as matches.csv and the summary show it.'),
    type: z
      .enum(MATCH_TYPES)
      .default('1:1')
      .describe('"1:1" one row against one; "1:N" one A row against a group of B rows whose sum agrees; "N:1" a group of A rows against one B row; "N:M" groups on both sides whose sums agree.'),
    conditions: z.array(matchConditionSchema).min(1).describe('All must hold. Tried on rows no earlier rule matched.'),
    groupBy: z
      .array(fieldName)
      .optional()
      .describe('Group rules: the fields whose values the rows of a group share (the counterparty); for N:M both sides\' groups share them.'),
    maxGroupSize: z.number().int().min(2).max(MAX_GROUP_SIZE).optional().describe(`Group rules: the most rows in a group (default matching.maxGroupSize, ${DEFAULT_GROUP_SIZE}).`),
  })
  .strict();
export type MatchRule = z.infer<typeof matchRuleSchema>;

export const matchingSchema = z
  .object({
    amountField: fieldName.optional().describe('The amount field amount conditions and group sums use (a decimal or integer field; default a field named "amount").'),
    dateField: fieldName.optional().describe('The date field date conditions use (default a field named "value_date" or "date").'),
    maxGroupSize: z.number().int().min(2).max(MAX_GROUP_SIZE).default(DEFAULT_GROUP_SIZE).describe('The most rows in a group, on either side.'),
    maxGroupCandidates: z
      .number()
      .int()
      .min(2)
      .max(MAX_GROUP_CANDIDATES)
      .default(DEFAULT_GROUP_CANDIDATES)
      .describe('The most candidate rows per single row a group search looks at (a reference found first, then the single row\'s sign, then closest in date); bounds the search.'),
    rules: z.array(matchRuleSchema).min(1).max(32).describe('Tried in order; a row matched by an earlier rule is not offered to later ones.'),
  })
  .strict()
  .describe('Match rows that share no key, by rules. The definition\'s key then names each row\'s id on both sides.');
export type Matching = z.infer<typeof matchingSchema>;
export type MatchingInput = z.input<typeof matchingSchema>;

/** The parts of a definition the matching checks read (structural, so schema.ts can call this without a cycle). */
interface DefinitionFields {
  key: readonly string[];
  fields: readonly { name: string; type: string }[];
  matching?: Matching | undefined;
}

const NUMERIC = new Set(['decimal', 'integer']);
const DATED = new Set(['date', 'timestamp']);

/** The amount and date fields a matching block uses by default. */
export function defaultMatchFields(fields: readonly { name: string; type: string }[], m: Pick<Matching, 'amountField' | 'dateField'>): { amount?: string; date?: string } {
  const byName = (re: RegExp, types: Set<string>): string | undefined => fields.find((f) => re.test(f.name) && types.has(f.type))?.name;
  const amount = m.amountField ?? byName(/^amount$/i, NUMERIC) ?? byName(/^(amt|value|amount_.*|.*_amount)$/i, NUMERIC);
  const date = m.dateField ?? byName(/^value_?date$/i, DATED) ?? byName(/^date$/i, DATED) ?? byName(/date/i, DATED);
  return { ...(amount ? { amount } : {}), ...(date ? { date } : {}) };
}

/**
 * The matching block's checks against the definition's fields, each at its
 * JSON path: every field named exists and has a type the condition can use,
 * and every rule can be searched without comparing every pair of rows.
 */
export function checkMatching(def: DefinitionFields, ctx: z.RefinementCtx): void {
  const m = def.matching;
  if (!m) return;
  const types = new Map<string, string>();
  for (const f of def.fields) types.set(f.name.toLowerCase(), f.type);
  // A key field that is not listed is a string column (definition/resolve.ts).
  for (const k of def.key) if (!types.has(k.toLowerCase())) types.set(k.toLowerCase(), 'string');
  const names = [...def.fields.map((f) => f.name)];
  const issue = (path: (string | number)[], message: string): void => ctx.addIssue({ code: 'custom', path: ['matching', ...path], message });
  const need = (path: (string | number)[], name: string | undefined, allowed: Set<string> | undefined, what: string): void => {
    if (name === undefined) return;
    const type = types.get(name.toLowerCase());
    if (type === undefined) issue(path, `"${name}" is not one of the definition's fields (${names.map((n) => `"${n}"`).join(', ') || 'none listed'}); list it under "fields"`);
    else if (allowed && !allowed.has(type)) issue(path, `"${name}" is a ${type} field; ${what}`);
  };
  const defaults = defaultMatchFields(def.fields, m);
  need(['amountField'], m.amountField, NUMERIC, 'the amount field must be decimal or integer');
  need(['dateField'], m.dateField, DATED, 'the date field must be a date or timestamp');
  for (const [i, rule] of m.rules.entries()) {
    const at = (...p: (string | number)[]): (string | number)[] => ['rules', i, ...p];
    const kinds = new Set<string>();
    for (const [j, c] of rule.conditions.entries()) {
      if ('equal' in c) need(at('conditions', j, 'equal'), c.equal, undefined, '');
      if ('amount' in c) {
        const field = c.amount.field ?? defaults.amount;
        if (field === undefined) issue(at('conditions', j, 'amount'), 'no amount field: name it in matching.amountField or the condition\'s "field" (no decimal field is called "amount")');
        need(at('conditions', j, 'amount', 'field'), field, NUMERIC, 'an amount condition needs a decimal or integer field');
      }
      if ('date' in c) {
        const field = c.date.field ?? defaults.date;
        if (field === undefined) issue(at('conditions', j, 'date'), 'no date field: name it in matching.dateField or the condition\'s "field"');
        need(at('conditions', j, 'date', 'field'), field, DATED, 'a date condition needs a date or timestamp field');
        if (c.date.days !== undefined && c.date.businessDays !== undefined) issue(at('conditions', j, 'date'), 'give days or businessDays, not both');
      }
      if ('reference' in c) need(at('conditions', j, 'reference', 'field'), c.reference.field, new Set(['string']), 'a reference condition needs a string field');
      if ('similar' in c) need(at('conditions', j, 'similar', 'field'), c.similar.field, new Set(['string']), 'a similar condition needs a string field');
      const kind = Object.keys(c)[0]!;
      if (kinds.has(kind) && kind !== 'equal' && kind !== 'similar') issue(at('conditions', j), `rule "${rule.name}" has two ${kind} conditions; give one`);
      kinds.add(kind);
    }
    for (const [j, g] of (rule.groupBy ?? []).entries()) need(at('groupBy', j), g, undefined, '');
    if (rule.type === '1:1') {
      if (rule.groupBy !== undefined) issue(at('groupBy'), 'groupBy applies to group rules (1:N, N:1, N:M) only');
      if (rule.maxGroupSize !== undefined) issue(at('maxGroupSize'), 'maxGroupSize applies to group rules (1:N, N:1, N:M) only');
      // Blocking: candidates are found by equal amounts (or amount buckets), date windows or reference fragments, never by trying every pair.
      if (!kinds.has('amount') && !kinds.has('date') && !kinds.has('reference')) {
        issue(at('conditions'), `rule "${rule.name}" needs an amount, date or reference condition, so that candidates can be found without comparing every pair of rows`);
      }
    } else {
      if (!kinds.has('amount')) issue(at('conditions'), `group rule "${rule.name}" needs an amount condition: a group matches when its sum agrees`);
      if (!kinds.has('date')) issue(at('conditions'), `group rule "${rule.name}" needs a date condition: a group's rows fall within a date window`);
      // 1:N / N:1: each member's reference looked for in the single row's text (or the single row's in each member's); it
      // ranks subsets. N:M has no single row to pair each member with.
      if (kinds.has('reference') && rule.type === 'N:M') issue(at('conditions'), `N:M rule "${rule.name}": reference conditions apply to 1:1, 1:N and N:1 rules only`);
    }
  }
  const seen = new Set<string>();
  for (const [i, rule] of m.rules.entries()) {
    if (seen.has(rule.name.toLowerCase())) issue(['rules', i, 'name'], `rule "${rule.name}" is named twice`);
    seen.add(rule.name.toLowerCase());
  }
}
