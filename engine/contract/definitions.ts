import { z } from 'zod';
import { definitionSchema, type DefinitionInput } from '../definition/schema.ts';
import { defineCall } from './call.ts';
import { filePathSchema } from './ids.ts';

/**
 * A definition as written, defaults not filled in (a saved version, a file, a
 * run's own, inference's proposal): valid against definitionSchema and handed
 * back unchanged, so a form that loads it saves it unchanged.
 */
export const definitionAsWrittenSchema = z.custom<DefinitionInput>((v) => definitionSchema.safeParse(v).success, { message: 'not a valid recon definition' });

/** A saved definition's name: its `name`, as the definition says it. */
export const definitionNameSchema = z.string().min(1).max(10_000);

const savedDefinitionSchema = z.object({ name: z.string(), version: z.number().int().positive(), savedAt: z.string(), savedBy: z.string() });

export const definitionsCalls = {
  'definitions.list': defineCall({
    summary: "The workspace's saved recon definitions: the latest version of each, by name.",
    args: z.object({}).strict(),
    result: z.object({ definitions: z.array(savedDefinitionSchema) }),
  }),
  'definitions.get': defineCall({
    summary: 'One saved definition by name: the given version, else the latest.',
    args: z.object({ name: definitionNameSchema, version: z.number().int().positive().optional() }).strict(),
    result: savedDefinitionSchema.extend({ definition: definitionAsWrittenSchema }),
  }),
  'definitions.save': defineCall({
    summary:
      "Validates and saves a definition in the workspace store under its name: a new version, audited and synced to the team (an unchanged definition keeps its version). Needs the analyst or admin role; overwrite false refuses a name that exists.",
    args: z.object({ definition: definitionSchema, overwrite: z.boolean().default(true), comment: z.string().max(2000).optional() }).strict(),
    result: z.object({ name: z.string(), version: z.number().int().positive() }),
  }),
  'definitions.import': defineCall({
    summary:
      'Reads a definition file (JSON) from a path on the engine machine and validates it with the definition schema; returns it as written. A bad file is DEFINITION_INVALID naming the line and column, or each issue\'s JSON path.',
    args: z.object({ path: filePathSchema }).strict(),
    result: z.object({ path: z.string(), definition: definitionAsWrittenSchema }),
  }),
  'definitions.export': defineCall({
    summary:
      'Validates a definition with the definition schema and writes it as JSON to a path on the engine machine, as given (what definitions.import reads back); an existing file is EXPORT_PATH_EXISTS unless overwrite.',
    args: z.object({ definition: z.record(z.string(), z.unknown()), path: filePathSchema, overwrite: z.boolean().default(false) }).strict(),
    result: z.object({ path: z.string() }),
  }),
};

export { definitionSchema, FIELD_TYPES, type DefinitionInput, type FieldType } from '../definition/schema.ts';
