import { readFile } from 'node:fs/promises';
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
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    const message = (err as Error).message;
    const pos = /position (\d+)/.exec(message);
    if (pos) {
      const offset = Number(pos[1]);
      const before = text.slice(0, offset);
      const line = before.split('\n').length;
      const column = offset - before.lastIndexOf('\n');
      throw new ReconError('DEFINITION_INVALID', `${label}, line ${line}, column ${column}: not valid JSON (${message})`, { file: label, line, column });
    }
    throw new ReconError('DEFINITION_INVALID', `${label}: not valid JSON (${message})`, { file: label });
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
