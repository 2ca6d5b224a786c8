import { z } from 'zod';
import { definitionSchema } from './schema.ts';

/** The JSON Schema of a recon definition (the input shape, defaults optional). */
export function definitionJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(definitionSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return {
    ...schema,
    $id: 'https://recon-workstation.local/schema/definition.schema.json',
    title: 'Recon definition',
    description: 'How Recon Workstation reconciles source A against source B: key, fields, types, normalization and tolerances; or, with a matching block, the rules that pair rows sharing no key.',
  };
}
