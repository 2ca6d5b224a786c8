import { readFile } from 'node:fs/promises';
import { parse as parseJson, printParseErrorCode, type ParseError } from 'jsonc-parser';
import type { z } from 'zod';
import { ReconError } from '../errors/recon-error.ts';
import { definitionSchema, type Definition } from './schema.ts';

/** Reads and validates a definition file; errors name the file, line/column or JSON path. */
export async function loadDefinitionFile(path: string): Promise<Definition> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new ReconError('INPUT_NOT_FOUND', `${path}: definition file not found or not readable`, { file: path });
  }
  return parseDefinitionText(text.replace(/^\uFEFF/, ''), path);
}

/** Parses definition JSON text (from a file, the UI or a test). */
export function parseDefinitionText(text: string, label = 'definition'): Definition {
  // jsonc-parser reports the offset of a syntax error, which JSON.parse no longer does.
  const errors: ParseError[] = [];
  const json: unknown = parseJson(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  const first = errors[0];
  if (first) {
    const before = text.slice(0, first.offset);
    const line = before.split('\n').length;
    const column = first.offset - before.lastIndexOf('\n');
    const what = printParseErrorCode(first.error).replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
    throw new ReconError('DEFINITION_INVALID', `${label}, line ${line}, column ${column}: not valid JSON (${what})`, { file: label, line, column });
  }
  return validateDefinition(json, label);
}

/** Validates a parsed object against the schema. */
export function validateDefinition(json: unknown, label = 'definition'): Definition {
  const parsed = definitionSchema.safeParse(json);
  if (!parsed.success) {
    const issues = formatIssues(parsed.error.issues);
    throw new ReconError('DEFINITION_INVALID', `${label}: invalid recon definition:\n${issues.map((i) => `  - ${i}`).join('\n')}`, {
      file: label,
      issues,
    });
  }
  return parsed.data;
}

function formatIssues(issues: z.core.$ZodIssue[]): string[] {
  return issues.map((i) => {
    const path = i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
    return `${path || '(root)'}: ${i.message}`;
  });
}
