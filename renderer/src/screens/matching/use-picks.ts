import { useCallback, useMemo, useState } from 'react';
import { pickKey, type PickedRow } from './row-text.ts';

/** The rows picked for a manual match, on both sides, in the order picked. */
export function usePicks() {
  const [picks, setPicks] = useState<ReadonlyMap<string, PickedRow>>(new Map());
  const toggle = useCallback((row: PickedRow) => {
    setPicks((m) => {
      const next = new Map(m);
      const k = pickKey(row.side, row.rid);
      if (next.has(k)) next.delete(k);
      else next.set(k, { side: row.side, rid: row.rid, id: row.id, amount: row.amount });
      return next;
    });
  }, []);
  const clear = useCallback(() => setPicks(new Map()), []);
  const keys = useMemo(() => new Set(picks.keys()), [picks]);
  const rows = useMemo(() => [...picks.values()], [picks]);
  return { keys, rows, toggle, clear };
}
