/**
 * What the matching view needs to know about a matching run's fields, read
 * once per open run file from the definition in `run_info`: the id field, the
 * amount and date fields the rules use (engine/match defaultMatchFields), the
 * string fields the text filter searches, the equal fields suggestions block
 * on (currency-like) and the name fields they score with (similar conditions).
 */
import { queryRows } from '../../duckdb/open.ts';
import { ReconError } from '../../errors/recon-error.ts';
import { defaultMatchFields, type Matching } from '../../match/definition.ts';
import type { RunFile } from '../run-file.ts';
import { RUN_TABLES } from '../schema.ts';

export interface ViewField {
  name: string;
  type: string;
}

export interface MatchingLayout {
  /** Every field of the definition, in its order: the view's columns. */
  fields: ViewField[];
  amount: ViewField | undefined;
  date: ViewField | undefined;
  /** String fields: what the text filter searches besides the id. */
  textFields: ViewField[];
  /** Fields the rules hold equal (currency, account): looser suggestions keep them equal too. */
  equalFields: ViewField[];
  /** Fields the rules compare by similarity (names): suggestions are scored on them. */
  nameFields: ViewField[];
  /** The counterparty-like field a group's list entry shows. */
  label: ViewField | undefined;
}

/** The parts of a stored definition read here (the file holds the parsed definition as JSON). */
interface StoredDefinition {
  key?: string[];
  fields?: { name: string; type?: string }[];
  matching?: Matching;
}

const MEMO_KEY = 'matching:layout';

/** The run's matching layout; NOT_A_MATCHING_RUN when its definition has no `matching` block. */
export async function matchingLayout(db: RunFile): Promise<MatchingLayout> {
  const hit = db.memo.get(MEMO_KEY) as MatchingLayout | undefined;
  if (hit) return hit;
  const def = await db.run(async (c) => {
    const hasMatches = db.tables.has(RUN_TABLES.matches) && db.tables.has(RUN_TABLES.matchGroups);
    const [row] = hasMatches ? await queryRows<{ definition: string | null }>(c, `SELECT CAST(definition AS VARCHAR) AS definition FROM ${RUN_TABLES.runInfo} LIMIT 1`) : [];
    return row?.definition ? (JSON.parse(row.definition) as StoredDefinition) : undefined;
  });
  if (!def?.matching) {
    throw new ReconError('NOT_A_MATCHING_RUN', `run ${db.runId} is not a matching run: its definition has no "matching" rules`, { runId: db.runId });
  }
  const layout = layoutOf(def, def.matching);
  db.memo.set(MEMO_KEY, layout);
  return layout;
}

export function layoutOf(def: StoredDefinition, matching: Matching): MatchingLayout {
  const fields: ViewField[] = (def.fields ?? []).map((f) => ({ name: f.name, type: f.type ?? 'string' }));
  const byName = (name: string | undefined): ViewField | undefined => (name === undefined ? undefined : fields.find((f) => f.name.toLowerCase() === name.toLowerCase()));
  const defaults = defaultMatchFields(fields, matching);
  const keys = new Set((def.key ?? []).map((k) => k.toLowerCase()));
  const conditions = matching.rules.flatMap((r) => r.conditions);
  const unique = (xs: (ViewField | undefined)[]): ViewField[] => [...new Map(xs.filter((x): x is ViewField => x !== undefined).map((x) => [x.name, x])).values()];
  const equalFields = unique(conditions.map((c) => ('equal' in c ? byName(c.equal) : undefined)));
  const nameFields = unique(conditions.map((c) => ('similar' in c ? byName(c.similar.field) : undefined)));
  const textFields = fields.filter((f) => f.type === 'string' && !keys.has(f.name.toLowerCase()));
  const equalNames = new Set(equalFields.map((f) => f.name));
  const label = nameFields[0] ?? textFields.find((f) => !equalNames.has(f.name));
  return { fields, amount: byName(defaults.amount), date: byName(defaults.date), textFields, equalFields, nameFields, label };
}
