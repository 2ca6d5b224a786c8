import { z } from 'zod';
import { definitionSchema } from '../definition/schema.ts';
import { defineCall } from './call.ts';
import { filePathSchema } from './ids.ts';

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
  'definitions.import': defineCall({
    summary:
      'Reads a definition file (JSON) from a path on the engine machine and validates it with the definition schema; returns it as written. A bad file is DEFINITION_INVALID naming the line and column, or each issue\'s JSON path.',
    args: z.object({ path: filePathSchema }).strict(),
    result: z.object({ path: z.string(), definition: z.unknown() }),
  }),
  'definitions.export': defineCall({
    summary:
      'Validates a definition with the definition schema and writes it as JSON to a path on the engine machine, as given (what definitions.import reads back); an existing file is EXPORT_PATH_EXISTS unless overwrite.',
    args: z.object({ definition: z.record(z.string(), z.unknown()), path: filePathSchema, overwrite: z.boolean().default(false) }).strict(),
    result: z.object({ path: z.string() }),
  }),
};

export { definitionSchema, FIELD_TYPES, type DefinitionInput, type FieldType } from '../definition/schema.ts';
