import { describe, expect, it } from 'vitest';
import { mysqlDriver } from './mysql.ts';
import { bindNamed } from './params.ts';
import { postgresDriver } from './postgres.ts';

describe('named query parameters', () => {
  const mark = (name: string): string => `<${name}>`;

  it('binds :name outside strings, identifiers, comments and casts', () => {
    const sql = `SELECT ':skip', "a:b", x::date, $$ :no $$ -- :no\n/* :no */ FROM t WHERE d = :asOf AND e = :asOf AND c = :ccy`;
    expect(bindNamed(sql, { asOf: '2026-12-01', ccy: 'EUR' }, mark, 'q', false)).toBe(
      `SELECT ':skip', "a:b", x::date, $$ :no $$ -- :no\n/* :no */ FROM t WHERE d = <asOf> AND e = <asOf> AND c = <ccy>`,
    );
  });

  it('refuses a parameter without a value, and a value no parameter uses', () => {
    expect(() => bindNamed('SELECT :a', {}, mark, 'sources.a', false)).toThrow(/uses :a, but params gives no value/);
    expect(() => bindNamed('SELECT 1', { asof: 'x' }, mark, 'sources.a', false)).toThrow(/params "asof" is not used by the query/);
  });

  it('PostgreSQL inlines quoted literals (COPY takes no bind parameters); MySQL binds placeholders', () => {
    expect(postgresDriver.bind("SELECT * FROM t WHERE n = :n AND s = :s AND b = :b AND z = :z;", { n: 1.5, s: "O'Brien \\ co", b: true, z: null }).text).toBe(
      "SELECT * FROM t WHERE n = 1.5 AND s =  E'O''Brien \\\\ co' AND b = TRUE AND z = NULL",
    );
    expect(mysqlDriver.bind("SELECT * FROM t WHERE s = :s AND q = 'it\\'s :not'", { s: 'x' })).toEqual({ text: "SELECT * FROM t WHERE s = ? AND q = 'it\\'s :not'", values: ['x'] });
  });
});
