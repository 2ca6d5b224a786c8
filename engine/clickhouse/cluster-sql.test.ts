import { describe, expect, it } from 'vitest';
import { resolveDefinition } from '../definition/resolve.ts';
import { validateDefinition } from '../definition/load.ts';
import { clusterTables, createTableSql, pairsSql, sameNumberText } from './cluster-sql.ts';

const resolved = resolveDefinition(
  validateDefinition({ name: 't', key: ['id'], fields: [{ name: 'id' }, { name: 'Amount "x"', type: 'decimal', scale: 2, tolerance: { abs: '0.01' } }, { name: 'd', type: 'date' }] }),
  { path: 'a.csv', columns: ['id', 'Amount "x"', 'd'] },
  { path: 'b.csv', columns: ['id', 'Amount "x"', 'd'] },
);

describe('the cluster run SQL', () => {
  it('names no user column in ClickHouse: positional columns, run-named tables', () => {
    const ddl = createTableSql(resolved, 'a', 'default', '20261207-101010-abc', 'recon');
    expect(ddl[0]).toBe('CREATE TABLE default.recon_20261207_101010_abc_a (__key String, rid_a UInt64, a0 Nullable(Decimal(38, 2)), a1 Nullable(Int32), __key_text String) ENGINE = MergeTree() ORDER BY tuple()');
    expect(ddl[1]).toBe('CREATE TABLE default.recon_20261207_101010_abc_a_dist AS default.recon_20261207_101010_abc_a ENGINE = Distributed(recon, default, recon_20261207_101010_abc_a, cityHash64(__key))');
    expect(pairsSql(resolved, 'default', 'r1')).not.toContain('Amount');
    expect(clusterTables('db', 'x-y').dist('b')).toBe('db.recon_x_y_b_dist');
  });

  it('compares sums as numbers whichever way a ClickHouse version prints decimals', () => {
    expect(['12.50', '12.5', '12', '-0.00', '100', '0.10', null, '\\N', ''].map(sameNumberText)).toEqual(['12.5', '12.5', '12', '0', '100', '0.1', '0', '0', '0']);
  });
});
