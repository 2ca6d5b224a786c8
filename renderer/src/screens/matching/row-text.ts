/** How the matching view writes rows, sides and amounts. */
import type { MatchRow } from '../../../../engine/contract/index.ts';

export type Side = 'a' | 'b';

export const SIDE_NAME: Record<Side, string> = { a: 'A', b: 'B' };

/** A row's other fields (counterparty, reference…): every field whose text is not its id, amount or date. */
export function rowDetails(row: Pick<MatchRow, 'id' | 'amount' | 'date' | 'fields'>): string {
  return Object.values(row.fields)
    .filter((v): v is string => v !== null && v !== '' && v !== row.id && v !== row.amount && v !== row.date)
    .join(' · ');
}

/** `a:12`: one key per row, for the selection. */
export const pickKey = (side: Side, rid: number): string => `${side}:${rid}`;

/** A row picked for a manual match: what the match bar shows of it. */
export type PickedRow = Pick<MatchRow, 'side' | 'rid' | 'id' | 'amount'>;
