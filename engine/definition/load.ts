import { readFile } from 'node:fs/promises';
import { parse as parseJson, printParseErrorCode, type ParseError } from 'jsonc-parser';
import type { z } from 'zod';
import { clipText } from '../errors/quote.ts';
import { ReconError } from '../errors/recon-error.ts';
import { definitionSchema, type Definition } from './schema.ts';

/**
 * The deepest nesting of arrays and objects a definition may have. Real ones nest about 6
 * deep; the JSON parser recurses per level, so 100,000 levels would overflow its stack.
 */
export const MAX_DEFINITION_NESTING = 64;
/** The most validation issues a message lists (a broken definition can have millions). */
const MAX_LISTED_ISSUES = 20;

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
  const deep = tooDeepAt(text);
  if (deep !== undefined) {
    const { line, column } = lineColumn(text, deep);
    throw new ReconError(
      'DEFINITION_INVALID',
      `${label}, line ${line}, column ${column}: nested more than ${MAX_DEFINITION_NESTING} levels deep; a recon definition needs far fewer`,
      { file: label, line, column },
    );
  }
  return asDefinitionError(label, () => {
    // jsonc-parser reports the offset of a syntax error, which JSON.parse no longer does.
    const errors: ParseError[] = [];
    const json: unknown = parseJson(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
    const first = errors[0];
    if (first) {
      const { line, column } = lineColumn(text, first.offset);
      const what = printParseErrorCode(first.error).replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
      throw new ReconError('DEFINITION_INVALID', `${label}, line ${line}, column ${column}: not valid JSON (${what})`, { file: label, line, column });
    }
    return validateDefinition(json, label);
  });
}

/** Validates a parsed object against the schema. */
export function validateDefinition(json: unknown, label = 'definition'): Definition {
  return asDefinitionError(label, () => {
    const parsed = definitionSchema.safeParse(json);
    if (parsed.success) return parsed.data;
    const all = parsed.error.issues;
    const issues = formatIssues(all.slice(0, MAX_LISTED_ISSUES));
    const more = all.length > issues.length ? `\n  … and ${all.length - issues.length} more issue(s)` : '';
    throw new ReconError('DEFINITION_INVALID', `${label}: invalid recon definition:\n${issues.map((i) => `  - ${i}`).join('\n')}${more}`, {
      file: label,
      issues,
      issueCount: all.length,
    });
  });
}

/**
 * Runs a parse or validation step, turning a RangeError (a stack overflow in a parser or
 * validator, a string too long to build) into DEFINITION_INVALID: the definition is input.
 */
function asDefinitionError<T>(label: string, step: () => T): T {
  try {
    return step();
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    throw new ReconError('DEFINITION_INVALID', `${label}: cannot be read (${clipText(err.message)}); is it nested too deeply or too large?`, { file: label });
  }
}

/** Offset of the first '[' or '{' nested deeper than MAX_DEFINITION_NESTING, outside strings. */
function tooDeepAt(text: string): number | undefined {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > MAX_DEFINITION_NESTING) return i;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return undefined;
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

/** "path: message" per issue; keys and messages can quote the file's text, so both are cut short. */
function formatIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.map((i) => {
    const path = i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${clipText(String(p), 60)}`)).join('').replace(/^\./, '');
    return `${clipText(path || '(root)')}: ${clipText(i.message)}`;
  });
}
