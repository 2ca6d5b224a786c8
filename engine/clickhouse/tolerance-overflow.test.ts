import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDuckDB, queryRows, type OpenDuckDB } from '../duckdb/open.ts';
import { CLICKHOUSE, DUCKDB } from '../sql/dialect.ts';
import { ClickHouseClient } from './client.ts';
import { clusterNodes } from './cluster-target.ts';
import { clickhouseAvailable, startTestCluster, type TestCluster } from './testing/clickhouse-cluster.ts';

/**
 * A number tolerance near the ends of the type, on both engines: the local
 * engine's TRY(…) is NULL (no tolerance holds) wherever a step of
 * |B − A| <= tol or <= tol × greatest(|A|, |B|) overflows; ClickHouse 18.16 has no
 * TRY and failed the run's statement there (or wrapped around silently). Every
 * pair of values near the limits that matter (38 digits, and 38 digits less the
 * tolerance's extra places) is evaluated by both engines' spelling
 * (`numberWithin`, sql/dialect.ts), for decimals of several scales and integers,
 * tolerances written with more, as many or fewer places than the field, and
 * integer tolerances; the answers must be the same row for row.
 */

let cluster: TestCluster;
let client: ClickHouseClient;
let duck: OpenDuckDB;

const MAX = 10n ** 38n - 1n;

/** Units at `scale` as the decimal text both engines parse. */
function text(units: bigint, scale: number): string {
  const neg = units < 0n;
  const t = (neg ? -units : units).toString().padStart(scale + 1, '0');
  return `${neg ? '-' : ''}${scale > 0 ? `${t.slice(0, -scale)}.${t.slice(-scale)}` : t}`;
}

/** Values at every boundary a step can meet: 38 digits, 38 less one to four places, halves and their neighbours. */
function values(): bigint[] {
  const out = new Set<bigint>([0n, 1n, 7n, 12345n]);
  for (let k = 0; k <= 4; k++) {
    const l = MAX / 10n ** BigInt(k);
    for (const v of [l, l - 1n, l / 2n, l / 2n + 1n, (l * 2n) / 3n]) if (v <= MAX) out.add(v);
    if (k > 0) out.add(l + 1n);
  }
  return [...out].flatMap((v) => (v === 0n ? [v] : [v, -v]));
}

describe.skipIf(!clickhouseAvailable())('a number tolerance near the ends of the type: the same answer on both engines', () => {
  beforeAll(async () => {
    cluster = await startTestCluster(1);
    client = new ClickHouseClient(clusterNodes(cluster.target, { RECON_CLUSTER_PASSWORD: cluster.info.password }, undefined)[0]!);
    duck = await openDuckDB({ path: ':memory:' });
  }, 60_000);
  afterAll(async () => {
    duck?.close();
    await cluster?.destroy();
  });

  const numbers = [
    { integer: false, scale: 2 },
    { integer: false, scale: 0 },
    { integer: false, scale: 4 },
    { integer: true, scale: 0 },
  ];
  const tolerances = ['0.01', '0.001', '0.10', '0.5', '5', '1', '0', '123.4567'];
  const cases = numbers.flatMap((number) => (['abs', 'rel'] as const).flatMap((kind) => tolerances.map((tol) => ({ number, kind, tol }))));

  it.each(cases)('$kind $tol on $number.scale places (integer: $number.integer)', async ({ number, kind, tol }) => {
    const vs = values().map((v) => text(v, number.scale));
    const pairs = vs.flatMap((x) => vs.map((y) => [x, y] as const));
    const type = number.integer ? 'HUGEINT' : `DECIMAL(38, ${number.scale})`;
    const list = vs.map((v, i) => `(${i}, '${v}')`).join(', ');
    const local = await queryRows<{ held: boolean }>(
      duck.connection,
      `SELECT coalesce(${DUCKDB.numberWithin('x', 'y', number, kind, tol)}, false) AS held
         FROM (SELECT ix, iy, CAST(xt AS ${type}) AS x, CAST(yt AS ${type}) AS y FROM (VALUES ${list}) xs(ix, xt), (VALUES ${list}) ys(iy, yt))
        ORDER BY ix, iy`,
    );
    // Every pair of the values (two different arrayJoins: the same one twice is one), from columns, not constants:
    // every branch is evaluated on every row, as in the join.
    const held = await client.exec(
      `SELECT ifNull(${CLICKHOUSE.numberWithin('x', 'y', number, kind, tol)}, 0)
         FROM (SELECT ix, iy, toNullable(toDecimal128(V[ix], ${number.scale})) AS x, toNullable(toDecimal128(V[iy], ${number.scale})) AS y
                 FROM (SELECT V, arrayJoin(arrayEnumerate(V)) AS ix, arrayJoin(arrayEnumerate(arrayReverse(V))) AS iy FROM (SELECT [${vs.map((v) => `'${v}'`).join(', ')}] AS V)))
        ORDER BY ix, iy FORMAT TabSeparated`,
    );
    const onCluster = held.trim().split('\n').map((v) => v === '1');
    const differ = local.flatMap((r, i) => (r.held === onCluster[i] ? [] : [`${pairs[i]![0]} → ${pairs[i]![1]}: local ${r.held}, cluster ${onCluster[i]}`]));
    expect(differ.slice(0, 5)).toEqual([]);
    expect(onCluster).toHaveLength(pairs.length);
    // The case is not vacuous: some pairs hold and some overflow or differ beyond it.
    if (tol !== '0') expect(local.some((r) => r.held)).toBe(true);
    expect(local.some((r) => !r.held)).toBe(true);
  }, 30_000);
});
