/**
 * Multi-select in the breaks grid, as in a spreadsheet or a mail client:
 * ctrl-click (⌘ on a Mac) toggles a row, shift-click selects the range from
 * the last row clicked, shift+↑/↓ grows or shrinks the range from its anchor,
 * ctrl+↑/↓ moves and adds the row it lands on; a plain click or Esc clears it.
 * The rules are pure functions of row indexes (tested on their own); the hook
 * applies them to AG Grid's rows and keeps the selected break ids.
 */
import type { GridApi } from 'ag-grid-community';
import { useCallback, useRef, useState, type KeyboardEvent as ReactKeyboardEvent, type MouseEvent as ReactMouseEvent } from 'react';
import type { BreakRow } from '../../../../engine/contract/index.ts';

export interface Selection {
  /** Selected row indexes, ascending. */
  rows: number[];
  /** Where a shift range starts: the last row clicked or added. */
  anchor: number | null;
}

export const EMPTY_SELECTION: Selection = { rows: [], anchor: null };

/** AG Grid's row selection, driven by this module only: no checkboxes, a plain click never selects. */
export const ROW_SELECTION = { mode: 'multiRow', checkboxes: false, headerCheckbox: false, enableClickSelection: false } as const;

interface Mods {
  shift: boolean;
  ctrl: boolean;
}

const range = (a: number, b: number): number[] => Array.from({ length: Math.abs(b - a) + 1 }, (_, i) => Math.min(a, b) + i);
const sorted = (xs: Iterable<number>): number[] => [...new Set(xs)].sort((x, y) => x - y);

/** A click on row `index`: ctrl toggles it, shift selects from the anchor, a plain click clears. */
export function clickSelect(s: Selection, index: number, m: Mods): Selection {
  if (m.shift) return { rows: range(s.anchor ?? index, index), anchor: s.anchor ?? index };
  if (m.ctrl) return { rows: s.rows.includes(index) ? s.rows.filter((r) => r !== index) : sorted([...s.rows, index]), anchor: index };
  return { rows: [], anchor: index };
}

/** Shift/ctrl + ↑/↓ from the focused row `from` (last row `max`): the new selection and the row to focus. */
export function arrowSelect(s: Selection, from: number, dir: 1 | -1, max: number, m: Mods): { selection: Selection; focus: number } {
  const focus = Math.max(0, Math.min(max, from + dir));
  if (m.shift) {
    const anchor = s.anchor ?? from;
    return { selection: { rows: range(anchor, focus), anchor }, focus };
  }
  return { selection: { rows: sorted([...s.rows, from, focus]), anchor: focus }, focus };
}

/** Whether a key press is one the selection handles (the grid must not move on its own). */
export function isSelectionKey(e: { key: string; shiftKey: boolean; ctrlKey: boolean; metaKey: boolean }): boolean {
  return (e.key === 'ArrowDown' || e.key === 'ArrowUp') && (e.shiftKey || e.ctrlKey || e.metaKey);
}

/** The grid's selection: break ids of the selected rows, click and key handlers, and clear. */
export function useGridSelection(api: { current: GridApi<BreakRow> | null }) {
  const [selection, setSelection] = useState<Selection>(EMPTY_SELECTION);
  const current = useRef(selection);
  const [ids, setIds] = useState<number[]>([]);
  const chosen = useRef<ReadonlySet<number>>(new Set());

  const apply = useCallback(
    (next: Selection): void => {
      current.current = next;
      setSelection(next);
      const g = api.current;
      if (!g) return;
      // Rows whose block has not loaded have no break yet: they cannot be decided on, so they are not selected.
      const nodes = next.rows.map((i) => g.getDisplayedRowAtIndex(i)).filter((n) => n?.data !== undefined);
      g.deselectAll();
      if (nodes.length > 0) g.setNodesSelected({ nodes: nodes as NonNullable<(typeof nodes)[number]>[], newValue: true });
      const nextIds = nodes.map((n) => n!.data!.breakId);
      chosen.current = new Set(nextIds);
      setIds(nextIds);
    },
    [api],
  );

  /**
   * The selection is the break ids: when the grid reloads its blocks (a decision elsewhere, a column added), its
   * row nodes are new, so the drawn rows are marked again from the ids (grid event modelUpdated).
   */
  const remark = useCallback((): void => {
    const g = api.current;
    if (!g) return;
    const want = chosen.current;
    const nodes = g.getRenderedNodes().filter((n) => n.data !== undefined && n.isSelected() !== want.has(n.data.breakId));
    for (const n of nodes) n.setSelected(want.has(n.data!.breakId), false, 'api');
  }, [api]);

  const onClick = useCallback(
    (index: number | null | undefined, event: Event | null | undefined): void => {
      if (index === null || index === undefined) return;
      const e = event as MouseEvent | null | undefined;
      const m = { shift: e?.shiftKey === true, ctrl: e?.ctrlKey === true || e?.metaKey === true };
      // A plain click with nothing selected changes nothing: it only focuses the row, as before.
      if (!m.shift && !m.ctrl && current.current.rows.length === 0) {
        current.current = { rows: [], anchor: index };
        return;
      }
      apply(clickSelect(current.current, index, m));
    },
    [apply],
  );

  /**
   * For the grid host's click (capture phase): read synchronously from the clicked row's element, since AG Grid
   * dispatches its cellClicked event later, after a quick ctrl+↓ could already have moved on.
   */
  const onHostClick = useCallback(
    (e: ReactMouseEvent): void => {
      const target = e.target instanceof Element ? e.target : null;
      const row = target?.closest('.ag-row[row-index]');
      if (!row || !target?.closest('.ag-cell')) return;
      onClick(Number(row.getAttribute('row-index')), e.nativeEvent);
    },
    [onClick],
  );

  /** For the grid host's keydown (capture phase): shift/ctrl + ↑/↓ select; Esc clears. True when handled. */
  const onKeyDown = useCallback(
    (e: ReactKeyboardEvent): boolean => {
      const g = api.current;
      if (!g) return false;
      if (e.key === 'Escape' && current.current.rows.length > 0) {
        e.preventDefault();
        e.stopPropagation();
        apply(EMPTY_SELECTION);
        return true;
      }
      if (!isSelectionKey(e)) return false;
      e.preventDefault();
      e.stopPropagation();
      const cell = g.getFocusedCell();
      const from = cell?.rowIndex ?? 0;
      const { selection: next, focus } = arrowSelect(current.current, from, e.key === 'ArrowDown' ? 1 : -1, Math.max(0, g.getDisplayedRowCount() - 1), {
        shift: e.shiftKey,
        ctrl: e.ctrlKey || e.metaKey,
      });
      g.ensureIndexVisible(focus);
      g.setFocusedCell(focus, cell?.column ?? 'key');
      apply(next);
      return true;
    },
    [api, apply],
  );

  const clear = useCallback(() => apply(EMPTY_SELECTION), [apply]);
  return { ids, rows: selection.rows, onClick, onHostClick, onKeyDown, clear, remark };
}
