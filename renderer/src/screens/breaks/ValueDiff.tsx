import type { BreakRow } from '../../../../engine/contract/index.ts';
import { charDiff, wantsCharDiff } from './char-diff.ts';
import { valueText } from './value-cell.ts';

/** One side's value with the characters that differ from the other side marked. */
export function DiffText({ row, side }: { row: BreakRow; side: 'a' | 'b' }) {
  const value = side === 'a' ? row.valueA : row.valueB;
  if (!wantsCharDiff(row)) return <>{valueText(value, row)}</>;
  return (
    <>
      {charDiff(row.valueA!, row.valueB!)[side].map((s, i) =>
        s.changed ? (
          <mark key={i} className={`char-diff char-diff-${side}`}>
            {s.text}
          </mark>
        ) : (
          <span key={i}>{s.text}</span>
        ),
      )}
    </>
  );
}

/** "in B": which side a duplicate row is on. */
export const sideText = (row: Pick<BreakRow, 'side'>): string => (row.side ? `in ${row.side.toUpperCase()}` : '');

/**
 * A break's two values in full (wrapped, never cut), the characters that
 * differ marked on string mismatches, B/A for numbers, and for a duplicate
 * row the side it is on. Under the grid for the focused row, and in the detail.
 */
export function ValueDiff({ row, label = 'Values' }: { row: BreakRow; label?: string }) {
  return (
    <div className="panel value-diff" role="region" aria-label={label}>
      <dl className="facts">
        <dt>Value A</dt>
        <dd className="mono value-full" aria-label="Full value A">
          <DiffText row={row} side="a" />
        </dd>
        <dt>Value B</dt>
        <dd className="mono value-full" aria-label="Full value B">
          <DiffText row={row} side="b" />
        </dd>
        {row.ratio !== null && (
          <>
            <dt>B / A</dt>
            <dd className="mono" aria-label="Ratio B over A">
              {row.ratio}
            </dd>
          </>
        )}
        {row.diffType === 'DUPLICATE_KEY' && row.side && (
          <>
            <dt>Duplicate</dt>
            <dd aria-label="Duplicate side">row {sideText(row)}: the key is on more than one row of source {row.side.toUpperCase()}</dd>
          </>
        )}
      </dl>
    </div>
  );
}
