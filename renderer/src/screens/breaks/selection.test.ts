import { describe, expect, it } from 'vitest';
import { arrowSelect, clickSelect, EMPTY_SELECTION, isSelectionKey } from './selection.ts';

const none = { shift: false, ctrl: false };
const ctrl = { shift: false, ctrl: true };
const shift = { shift: true, ctrl: false };

describe('grid multi-select', () => {
  it('ctrl-click toggles rows, shift-click selects the range from the last click, a plain click clears', () => {
    let s = clickSelect(EMPTY_SELECTION, 2, ctrl);
    s = clickSelect(s, 7, ctrl);
    expect(s.rows).toEqual([2, 7]);
    s = clickSelect(s, 2, ctrl);
    expect(s.rows).toEqual([7]);
    // The anchor is the last row ctrl-clicked (2, even though that click unselected it).
    s = clickSelect(s, 4, shift);
    expect(s).toEqual({ rows: [2, 3, 4], anchor: 2 });
    s = clickSelect(clickSelect(s, 7, ctrl), 9, shift);
    expect(s.rows).toEqual([7, 8, 9]);
    expect(clickSelect(s, 3, none)).toEqual({ rows: [], anchor: 3 });
  });

  it('shift+arrow grows and shrinks the range from its anchor; ctrl+arrow adds the row it moves to', () => {
    let r = arrowSelect(EMPTY_SELECTION, 5, 1, 100, shift);
    expect(r).toEqual({ selection: { rows: [5, 6], anchor: 5 }, focus: 6 });
    r = arrowSelect(r.selection, r.focus, 1, 100, shift);
    expect(r.selection.rows).toEqual([5, 6, 7]);
    r = arrowSelect(r.selection, r.focus, -1, 100, shift);
    r = arrowSelect(r.selection, r.focus, -1, 100, shift);
    r = arrowSelect(r.selection, r.focus, -1, 100, shift);
    expect(r.selection.rows).toEqual([4, 5]);
    expect(r.focus).toBe(4);
    const c = arrowSelect({ rows: [1], anchor: 1 }, 10, 1, 100, ctrl);
    expect(c).toEqual({ selection: { rows: [1, 10, 11], anchor: 11 }, focus: 11 });
    // Never past the last row.
    expect(arrowSelect(EMPTY_SELECTION, 3, 1, 3, shift).selection.rows).toEqual([3]);
  });

  it('takes shift/ctrl/⌘ with ↑/↓ only', () => {
    expect(isSelectionKey({ key: 'ArrowDown', shiftKey: true, ctrlKey: false, metaKey: false })).toBe(true);
    expect(isSelectionKey({ key: 'ArrowUp', shiftKey: false, ctrlKey: false, metaKey: true })).toBe(true);
    expect(isSelectionKey({ key: 'ArrowDown', shiftKey: false, ctrlKey: false, metaKey: false })).toBe(false);
    expect(isSelectionKey({ key: 'a', shiftKey: true, ctrlKey: false, metaKey: false })).toBe(false);
  });
});
