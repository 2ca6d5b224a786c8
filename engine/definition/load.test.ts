import { describe, it, expect } from 'vitest';
import { isInputError, ReconError } from '../errors/recon-error.ts';
import { parseDefinitionText, validateDefinition } from './load.ts';

/**
 * A definition is input: however it is broken (nested 100,000 deep, a 50 MB key, a million
 * mistakes) the answer is DEFINITION_INVALID (exit code 2) with a short message, never a
 * stack overflow reported as INTERNAL_ERROR, never a message as large as the file.
 */

function definitionError(f: () => unknown): ReconError {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err, 'should throw a ReconError').toBeInstanceOf(ReconError);
  const e = err as ReconError;
  expect(e.code).toBe('DEFINITION_INVALID');
  expect(isInputError(e.code)).toBe(true);
  return e;
}

const DEEP = 100_000;
const GOOD = { name: 'd', key: ['id'], fields: [{ name: 'id' }] };

describe('parseDefinitionText on hostile text', () => {
  const cases: [string, string][] = [
    ['nested arrays', `${'['.repeat(DEEP)}${']'.repeat(DEEP)}`],
    ['nested objects', `${'{"a":'.repeat(DEEP)}1${'}'.repeat(DEEP)}`],
    ['nesting inside a field', `{"name":"x","key":["id"],"fields":[{"name":"id","map":{"a":${'{"a":'.repeat(DEEP)}1${'}'.repeat(DEEP)}}}]}`],
    ['nesting inside a string-valued setting', `{"name":"x","key":["id"],"description":${'['.repeat(DEEP)}${']'.repeat(DEEP)}}`],
    ['unclosed nesting', '['.repeat(DEEP)],
  ];
  for (const [what, text] of cases) {
    it(`refuses ${what} as DEFINITION_INVALID naming where, not a stack overflow`, () => {
      const err = definitionError(() => parseDefinitionText(text, 'deep.json'));
      expect(err.message).toMatch(/^deep\.json, line 1, column \d+: nested more than 64 levels deep/);
      expect(err.message.length).toBeLessThan(300);
    });
  }

  it('brackets inside strings do not count as nesting', () => {
    const def = parseDefinitionText(JSON.stringify({ ...GOOD, description: '['.repeat(1000) + '{"\\'.repeat(100) }), 'ok.json');
    expect(def.name).toBe('d');
  });

  it('any RangeError while validating becomes DEFINITION_INVALID', () => {
    const hostile = {
      ...GOOD,
      get description(): string {
        throw new RangeError('Maximum call stack size exceeded');
      },
    };
    const err = definitionError(() => validateDefinition(hostile, 'def.json'));
    expect(err.message).toMatch(/^def\.json: cannot be read \(Maximum call stack size exceeded\)/);
  });

  it('cuts a 50 MB key short in the message', () => {
    const key = 'k'.repeat(50_000_000);
    const err = definitionError(() => parseDefinitionText(`{"name":"x","key":["id"],"${key}":1}`, 'big.json'));
    expect(err.message.length).toBeLessThan(1000);
    expect(err.message).toMatch(/more characters\)/);
    expect(JSON.stringify(err.details).length).toBeLessThan(5000);
  });

  it('lists the first issues of a definition with 100,000, and says how many more', () => {
    const fields = Array.from({ length: 100_000 }, () => ({ name: 'f', type: 'nope' }));
    const err = definitionError(() => validateDefinition({ name: 'x', key: ['id'], fields }, 'many.json'));
    expect(err.message.length).toBeLessThan(5000);
    expect(err.message).toMatch(/… and \d+ more issue\(s\)$/);
    expect((err.details?.issues as unknown[]).length).toBeLessThanOrEqual(20);
    expect(err.details?.issueCount).toBeGreaterThanOrEqual(100_000);
  });
});
