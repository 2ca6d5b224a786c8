import { z } from 'zod';
import { definitionSchema } from '../definition/schema.ts';
import { defineCall } from './call.ts';

/** A saved definition's file name (without .json): letters, digits, '.', '_', '-'. */
export const definitionFileSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'a definition file name');

export const definitionsCalls = {
  'definitions.list': defineCall({
    summary: 'The saved recon definitions of the workspace.',
    args: z.object({}).strict(),
    result: z.object({ definitions: z.array(z.object({ file: z.string(), name: z.string(), savedAt: z.string() })) }),
  }),
  'definitions.get': defineCall({
    summary: 'One saved definition, validated.',
    args: z.object({ file: definitionFileSchema }).strict(),
    result: z.object({ file: z.string(), definition: z.unknown() }),
  }),
  'definitions.save': defineCall({
    summary: 'Validates and saves a definition as <workspace>/definitions/<file>.json (the file name comes from its name).',
    args: z.object({ definition: definitionSchema, overwrite: z.boolean().default(true) }).strict(),
    result: z.object({ file: z.string(), path: z.string() }),
  }),
};

export { definitionSchema, FIELD_TYPES, type DefinitionInput, type FieldType } from '../definition/schema.ts';
