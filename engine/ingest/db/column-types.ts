import type { ColumnTypeOf } from '../../definition/resolve.ts';
import type { FieldType } from '../../definition/schema.ts';
import type { PreparedSource } from '../source-types.ts';
import type { DbColumn } from './driver.ts';

/**
 * The field types query sources declare, for resolveDefinition: by column name
 * per side. With a database on both sides the two types are made to agree: the
 * same type stays; integer and decimal compare as decimal (the larger scale);
 * a date and a timestamp as timestamps; anything else as text. A file side
 * declares nothing, so the database side's type applies to both.
 */
export function databaseColumnTypes(a: PreparedSource, b: PreparedSource): ColumnTypeOf | undefined {
  const typesOf = (p: PreparedSource): Map<string, DbColumn> | undefined =>
    p.query?.typesFromDatabase ? new Map(p.query.columns.map((c) => [c.name, c])) : undefined;
  const ta = typesOf(a);
  const tb = typesOf(b);
  if (!ta && !tb) return undefined;
  return (aColumn, bColumn) => merge(ta?.get(aColumn), tb?.get(bColumn));
}

function merge(a: DbColumn | undefined, b: DbColumn | undefined): { type: FieldType; scale?: number } | undefined {
  if (!a || !b) {
    const one = a ?? b;
    return one ? { type: one.type, ...(one.scale !== undefined ? { scale: clampScale(one.scale) } : {}) } : undefined;
  }
  const numeric = (t: FieldType): boolean => t === 'integer' || t === 'decimal';
  const dated = (t: FieldType): boolean => t === 'date' || t === 'timestamp';
  if (a.type === b.type && a.type !== 'decimal') return { type: a.type };
  if (numeric(a.type) && numeric(b.type)) {
    const scales = [a, b].filter((c) => c.type === 'decimal').map((c) => c.scale);
    // A decimal without a declared scale takes the default (resolve.ts).
    const scale = scales.every((s) => s !== undefined) ? Math.max(...(scales as number[])) : undefined;
    return { type: 'decimal', ...(scale !== undefined ? { scale: clampScale(scale) } : {}) };
  }
  if (dated(a.type) && dated(b.type)) return { type: 'timestamp' };
  return { type: 'string' };
}

/** A definition's decimal scale is at most 18 (schema.ts); a wider database scale is rounded to it. */
function clampScale(s: number): number {
  return Math.min(s, 18);
}
