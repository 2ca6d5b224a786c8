import { describe, it, expect } from 'vitest';
import { ReconError } from '../errors/recon-error.ts';
import { validateDefinition } from './load.ts';
import { resolveDefinition } from './resolve.ts';

/**
 * COLUMN_NOT_FOUND lists the file's columns, which come from the file: a 50 MB header or a
 * header of 100,000 columns must give a short message (values cut short, the list bounded).
 */

function errorOf(f: () => unknown): ReconError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ReconError);
    return e as ReconError;
  }
  throw new Error('expected an error');
}

const def = validateDefinition({ name: 'd', key: ['id'], fields: [{ name: 'id' }] });

describe('resolveDefinition messages quote bounded values', () => {
  it('cuts a 1 MiB column name short (the first MiB of a 50 MB header)', () => {
    const huge = 'h'.repeat(1 << 20);
    const err = errorOf(() => resolveDefinition(def, { path: 'a.csv', columns: [huge] }, { path: 'b.csv', columns: ['id'] }));
    expect(err.code).toBe('COLUMN_NOT_FOUND');
    expect(err.message.length).toBeLessThan(500);
    expect(err.message).toBe(`a.csv: source A has no column "id" (field "id"). Its columns are: "${'h'.repeat(200)}…(${(1 << 20) - 200} more characters)"`);
    expect(JSON.stringify(err.details).length).toBeLessThan(1000);
  });

  it('lists at most 30 of 100,000 columns and says how many more', () => {
    const columns = Array.from({ length: 100_000 }, (_, i) => `c${i}`);
    const err = errorOf(() => resolveDefinition(def, { path: 'a.csv', columns: ['id'] }, { path: 'b.csv', columns }));
    expect(err.message).toMatch(/^b\.csv: source B has no column "id" \(field "id"\)\. Its columns are: "c0", "c1", .*"c29", … and 99970 more$/);
    expect(err.details).toMatchObject({ columnCount: 100_000 });
    expect((err.details?.columns as string[]).length).toBeLessThanOrEqual(1000);
  });

  it('cuts a huge field name short', () => {
    const name = 'f'.repeat(100_000);
    const wide = validateDefinition({ name: 'd', key: [name], fields: [{ name }] });
    const err = errorOf(() => resolveDefinition(wide, { path: 'a.csv', columns: ['id'] }, { path: 'b.csv', columns: ['id'] }));
    expect(err.message.length).toBeLessThan(1000);
  });

  it('bounds the field list of an unknown currencyField', () => {
    const fields = Array.from({ length: 2_000 }, (_, i) => ({ name: `f${i}` }));
    const many = validateDefinition({ name: 'd', key: ['f0'], fields, currencyField: 'x'.repeat(100_000), compareUnlisted: false });
    const cols = fields.map((f) => f.name);
    const err = errorOf(() => resolveDefinition(many, { path: 'a.csv', columns: cols }, { path: 'b.csv', columns: cols }));
    expect(err.code).toBe('DEFINITION_INVALID');
    expect(err.message.length).toBeLessThan(2000);
  });
});
