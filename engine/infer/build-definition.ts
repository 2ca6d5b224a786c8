import { basename } from 'node:path';
import { definitionSchema, type DefinitionInput, type FieldInput, type SourceOptions } from '../definition/schema.ts';
import { ReconError } from '../errors/recon-error.ts';
import type { FieldPlan } from './fields.ts';
import type { NumberConvention } from './numbers.ts';
import type { InferSource } from './source.ts';
import type { Side } from './types.ts';

/**
 * The definition JSON from the decided pieces, holding only what is certain:
 * no tolerances and no rules (both are proposals a person accepts: the data
 * suggests how much difference is noise, it cannot promise it), and
 * ambiguous fields carried uncompared. Date formats go on the
 * source when every date field of that side shares one, as a person would
 * write it; otherwise on the field.
 */
export interface DefinitionParts {
  a: InferSource;
  b: InferSource;
  conv: { a: NumberConvention; b: NumberConvention };
  nullValues: { a: string[]; b: string[] };
  key: string[];
  fields: FieldPlan[];
  currencyField?: string;
  name?: string;
}

/** Assembles and validates the definition. */
export function buildDefinition(p: DefinitionParts): DefinitionInput {
  const shared = { a: sharedDateFormat(p.fields, 'a'), b: sharedDateFormat(p.fields, 'b') };
  const source = (side: Side): SourceOptions => {
    const src = p[side];
    const out: SourceOptions = { ...src.options };
    if (p.conv[side].decimal === ',') out.decimalSeparator = ',';
    if (p.conv[side].thousands !== '') out.thousandsSeparator = p.conv[side].thousands;
    const fmt = shared[side];
    if (fmt) out.dateFormat = fmt;
    if (p.nullValues[side].length > 0) out.nullValues = p.nullValues[side];
    return out;
  };
  const fields: FieldInput[] = p.fields.map((f) => {
    const out: FieldInput = { name: f.a.name, type: f.type };
    if (f.b.name !== f.a.name) out.b = f.b.name;
    if (f.scale !== undefined) out.scale = f.scale;
    if (f.case) out.case = f.case;
    if (f.map) out.map = { b: f.map };
    if (!f.compare) out.compare = false;
    if (f.formats) {
      // A side whose formats moved to the source needs none here; ISO (null) needs none anywhere.
      const own = (side: Side): string | undefined => {
        const fmt = f.formats![side];
        return fmt === null || (f.type === 'date' && shared[side] === fmt) ? undefined : fmt;
      };
      const fa = own('a');
      const fb = own('b');
      if (fa !== undefined || fb !== undefined) out.dateFormat = { ...(fa !== undefined ? { a: fa } : {}), ...(fb !== undefined ? { b: fb } : {}) };
    }
    return out;
  });
  const def: DefinitionInput = {
    name: p.name ?? `${basename(p.a.path)} vs ${basename(p.b.path)} (inferred)`,
    description: `Inferred from ${basename(p.a.path)} and ${basename(p.b.path)}; review the report before relying on it.`,
    key: p.key,
    sources: { a: source('a'), b: source('b') },
    fields,
    normalize: { trim: true, case: 'none' },
    // Every compared column is listed; a same-named column left out was left out on purpose.
    compareUnlisted: false,
    ...(p.currencyField ? { currencyField: p.currencyField } : {}),
  };
  const parsed = definitionSchema.safeParse(def);
  if (!parsed.success) {
    throw new ReconError('INTERNAL_ERROR', `inferred definition is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return def;
}

/** The one strptime format every date field of a side uses, if there is one (ISO fields break the tie: none). */
function sharedDateFormat(fields: readonly FieldPlan[], side: Side): string | undefined {
  const formats = fields.filter((f) => f.type === 'date' && f.formats).map((f) => f.formats![side]);
  if (formats.length === 0) return undefined;
  const first = formats[0];
  return first !== null && first !== undefined && formats.every((f) => f === first) ? first : undefined;
}
