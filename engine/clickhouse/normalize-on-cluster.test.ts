import { describe, expect, it } from 'vitest';
import { resolveDefinition } from '../definition/resolve.ts';
import { validateDefinition } from '../definition/load.ts';
import type { DefinitionInput } from '../definition/schema.ts';
import { assertClusterCanNormalize, clusterNormalizationRefusal } from './normalize-on-cluster.ts';

const resolve = (def: DefinitionInput) => {
  const d = validateDefinition(def);
  const columns = d.fields.map((f) => f.name);
  return { resolved: resolveDefinition(d, { path: 'a.csv', columns }, { path: 'b.csv', columns }), sources: { a: d.sources?.a ?? {}, b: d.sources?.b ?? {} } };
};

describe('what a cluster run refuses to normalize', () => {
  it('accepts the directives, number spellings and adjust rules the dialect spells', () => {
    const { resolved, sources } = resolve({
      name: 'ok',
      key: ['id'],
      fields: [
        { name: 'id' },
        { name: 'amt', type: 'decimal', scale: 2, rounding: 'reject', adjust: { b: { multiply: '0.01' } } },
        { name: 'd', type: 'date', dateFormat: ['%d/%m/%Y', '%Y%m%d'], adjust: { b: { shiftBusinessDays: -1 } } },
        { name: 'ts', type: 'timestamp', dateFormat: '%d.%m.%Y %H:%M:%S.%f' },
        { name: 'name', case: 'upper' },
      ],
      sources: { b: { thousandsSeparator: '.', decimalSeparator: ',' } },
    });
    expect(clusterNormalizationRefusal(resolved, sources, { a: 'csv', b: 'csv' })).toBeUndefined();
  });

  it('refuses a format directive 18.16 cannot read, naming the field and saying to run it locally', () => {
    const { resolved, sources } = resolve({ name: 'x', key: ['id'], fields: [{ name: 'id' }, { name: 'when', type: 'date', dateFormat: '%d %b %Y' }] });
    expect(() => assertClusterCanNormalize(resolved, sources, { a: 'csv', b: 'csv' })).toThrow(/run it locally/);
    try {
      assertClusterCanNormalize(resolved, sources, { a: 'csv', b: 'csv' });
    } catch (err) {
      expect((err as { code?: string }).code).toBe('INVALID_ARGUMENT');
      expect((err as Error).message).toMatch(/field "when".*%b.*run it locally$/);
    }
  });

  it('refuses numbers from sources that write exponents, but not text fields from them', () => {
    const numbers = resolve({ name: 'x', key: ['id'], fields: [{ name: 'id' }, { name: 'q', type: 'integer' }] });
    expect(clusterNormalizationRefusal(numbers.resolved, numbers.sources, { a: 'csv', b: 'parquet' })).toMatch(/field "q": B is a parquet source.*exponent/);
    const text = resolve({ name: 'x', key: ['id'], fields: [{ name: 'id' }, { name: 'n' }] });
    expect(clusterNormalizationRefusal(text.resolved, text.sources, { a: 'json', b: 'parquet' })).toBeUndefined();
  });
});
