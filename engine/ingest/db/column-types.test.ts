import { describe, expect, it } from 'vitest';
import { resolveDefinition } from '../../definition/resolve.ts';
import { definitionSchema, type DefinitionInput } from '../../definition/schema.ts';
import type { PreparedSource } from '../source-types.ts';
import { databaseColumnTypes } from './column-types.ts';
import type { DbColumn } from './driver.ts';

const prepared = (columns: DbColumn[] | undefined, typesFromDatabase = true): PreparedSource =>
  ({ columns: columns?.map((c) => c.name) ?? ['id', 'amount', 'day', 'qty', 'note'], ...(columns ? { query: { columns, typesFromDatabase } } : {}) }) as unknown as PreparedSource;

const PG: DbColumn[] = [
  { name: 'id', dbType: 'integer', type: 'integer' },
  { name: 'amount', dbType: 'numeric(18,2)', type: 'decimal', scale: 2 },
  { name: 'day', dbType: 'date', type: 'date' },
  { name: 'qty', dbType: 'integer', type: 'integer' },
  { name: 'note', dbType: 'text', type: 'string' },
];

function resolve(def: DefinitionInput, a: PreparedSource, b: PreparedSource) {
  const d = definitionSchema.parse(def);
  const r = resolveDefinition(d, { path: 'a', columns: a.columns }, { path: 'b', columns: b.columns }, databaseColumnTypes(a, b));
  return Object.fromEntries(r.fields.map((f) => [f.name, `${f.type}${f.type === 'decimal' ? `(${f.scale})` : ''}`]));
}

describe('types from the database', () => {
  it('types the columns a definition leaves strings; a declared type (and scale) wins', () => {
    const def: DefinitionInput = { name: 't', key: ['id'], fields: [{ name: 'qty', type: 'decimal', scale: 4 }, { name: 'note' }] };
    expect(resolve(def, prepared(PG), prepared(undefined))).toEqual({ id: 'integer', amount: 'decimal(2)', day: 'date', qty: 'decimal(4)', note: 'string' });
  });

  it('two databases: integer and decimal meet as decimal of the larger scale, date and timestamp as timestamp', () => {
    const other: DbColumn[] = [
      { name: 'id', dbType: 'bigint', type: 'integer' },
      { name: 'amount', dbType: 'decimal(18,4)', type: 'decimal', scale: 4 },
      { name: 'day', dbType: 'datetime', type: 'timestamp' },
      { name: 'qty', dbType: 'decimal(10,1)', type: 'decimal', scale: 1 },
      { name: 'note', dbType: 'int', type: 'integer' },
    ];
    expect(resolve({ name: 't', key: ['id'] }, prepared(PG), prepared(other))).toEqual({ id: 'integer', amount: 'decimal(4)', day: 'timestamp', qty: 'decimal(1)', note: 'string' });
  });

  it('typesFromDatabase: false leaves every column to the definition', () => {
    expect(resolve({ name: 't', key: ['id'] }, prepared(PG, false), prepared(undefined))).toEqual({ id: 'string', amount: 'string', day: 'string', qty: 'string', note: 'string' });
  });

  it('the definition checks a query source: connection and sql required, file options refused', () => {
    expect(definitionSchema.safeParse({ name: 't', key: ['id'], sources: { a: { kind: 'query', connection: 'x' } } }).success).toBe(false);
    expect(definitionSchema.safeParse({ name: 't', key: ['id'], sources: { a: { kind: 'query', connection: 'x', sql: 'SELECT 1', delimiter: ';' } } }).success).toBe(false);
    expect(definitionSchema.safeParse({ name: 't', key: ['id'], sources: { a: { sql: 'SELECT 1' } } }).success).toBe(false);
    expect(definitionSchema.safeParse({ name: 't', key: ['id'], sources: { a: { kind: 'query', connection: 'x', sql: 'SELECT 1', params: { asOf: '2026-12-01' } } } }).success).toBe(true);
  });
});
