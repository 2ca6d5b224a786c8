import { describe, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { ReconError } from '../errors/recon-error.ts';
import { parseDefinitionText } from './load.ts';
import { STRPTIME_DIRECTIVES, STRPTIME_UNPADDED, strptimeFormatProblem } from './schema.ts';

/** A source's options that cannot work are refused at their JSON path, never at read time. */

function refusal(def: unknown): ReconError {
  try {
    parseDefinitionText(JSON.stringify(def), 'def.json');
  } catch (err) {
    if (err instanceof ReconError) return err;
    throw err;
  }
  throw new Error('the definition was accepted');
}

const base = { name: 't', key: ['id'], fields: [{ name: 'id' }, { name: 'amt', type: 'decimal' }] };
const withSource = (a: Record<string, unknown>, fields?: unknown[]): unknown => ({ ...base, sources: { a }, ...(fields ? { fields } : {}) });

describe('decimal and thousands separators', () => {
  it.each([
    [{ decimalSeparator: ',', thousandsSeparator: ',' }, 'sources.a.thousandsSeparator'],
    [{ decimalSeparator: '.', thousandsSeparator: '.' }, 'sources.a.thousandsSeparator'],
    [{ thousandsSeparator: '.' }, 'sources.a.thousandsSeparator'], // the default decimal separator is "."
  ])('refuses %j', (src, path) => {
    const err = refusal(withSource(src));
    expect(err.code).toBe('DEFINITION_INVALID');
    expect(err.message).toContain(`${path}: the thousands separator`);
    expect(err.message).toContain('also the decimal separator');
  });

  it('accepts different ones', () => {
    expect(() => parseDefinitionText(JSON.stringify(withSource({ decimalSeparator: ',', thousandsSeparator: '.' })))).not.toThrow();
    expect(() => parseDefinitionText(JSON.stringify(withSource({ decimalSeparator: ',', thousandsSeparator: '' })))).not.toThrow();
    expect(() => parseDefinitionText(JSON.stringify(withSource({ thousandsSeparator: ',' })))).not.toThrow();
  });
});

describe('delimiter, quote and escape', () => {
  it.each([
    [{ delimiter: '"' }, 'sources.a.delimiter', 'quote character'],
    [{ delimiter: '\n' }, 'sources.a.delimiter', 'line end'],
    [{ delimiter: '\r' }, 'sources.a.delimiter', 'line end'],
    [{ delimiter: ';\r\n' }, 'sources.a.delimiter', 'line end'],
    [{ delimiter: "'", quote: "'" }, 'sources.a.delimiter', 'quote character'],
    [{ delimiter: '\\', escape: '\\' }, 'sources.a.delimiter', 'escape character'],
    [{ quote: '\n' }, 'sources.a.quote', 'line end'],
    [{ escape: '\r' }, 'sources.a.escape', 'line end'],
  ])('refuses %j', (src, path, why) => {
    const err = refusal(withSource(src));
    expect(err.code).toBe('DEFINITION_INVALID');
    expect(err.message).toContain(`${path}: `);
    expect(err.message).toContain(why);
  });

  it('accepts a quote character as delimiter when quoting is off, and usual dialects', () => {
    for (const src of [{ delimiter: '"', quote: '' }, { delimiter: ';' }, { delimiter: '\t', quote: "'" }, { delimiter: '||' }]) {
      expect(() => parseDefinitionText(JSON.stringify(withSource(src)))).not.toThrow();
    }
  });
});

describe('date and timestamp formats', () => {
  it.each([
    [withSource({}, [{ name: 'id' }, { name: 'd', type: 'date', dateFormat: '%Q' }]), 'fields[1].dateFormat', '%Q'],
    [withSource({ timestampFormat: '%d/%m/%Y %k:%M' }), 'sources.a.timestampFormat', '%k'],
    [withSource({ dateFormat: ['%Y-%m-%d', '%d.%m.%E'] }), 'sources.a.dateFormat[1]', '%E'],
    [withSource({}, [{ name: 'id' }, { name: 'd', type: 'date', dateFormat: { b: '%Y%' } }]), 'fields[1].dateFormat.b', 'lone "%"'],
    [withSource({ dateFormat: '%-Y' }), 'sources.a.dateFormat', '%-Y'],
  ])('refuses a directive DuckDB cannot read: %#', (def, path, directive) => {
    const err = refusal(def);
    expect(err.code).toBe('DEFINITION_INVALID');
    expect(err.message).toContain(`${path}: `);
    expect(err.message).toContain(directive);
  });

  it('accepts the usual formats', () => {
    for (const f of ['%d/%m/%Y', '%Y-%m-%dT%H:%M:%S.%f%z', '%-d.%-m.%y', '%d %b %Y', '100%% %Y']) expect(strptimeFormatProblem(f)).toBeUndefined();
  });

  it('the directives accepted are the ones DuckDB strptime reads, and no other', async () => {
    const inst = await DuckDBInstance.create(':memory:');
    const conn = await inst.connect();
    const works = async (f: string): Promise<boolean> => {
      try {
        await conn.run(`SELECT try_strptime('x', '${f}')`);
        return true;
      } catch {
        return false;
      }
    };
    try {
      for (let c = 0x21; c < 0x7f; c++) {
        const d = String.fromCharCode(c);
        if (d === "'") continue;
        expect([d, await works(`%${d}`)]).toEqual([d, STRPTIME_DIRECTIVES.has(d)]);
        if (STRPTIME_UNPADDED.has(d)) expect([`-${d}`, await works(`%-${d}`)]).toEqual([`-${d}`, true]);
      }
    } finally {
      conn.closeSync();
      inst.closeSync();
    }
  });
});
