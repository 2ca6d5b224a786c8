/**
 * Value A / Value B cells of the breaks grid: a plain DOM renderer (no React
 * per cell, so a million rows still scroll smoothly) that marks the characters
 * that differ from the other side on string mismatches, and carries the full
 * value as the cell's title (shown on hover; the value strip under the grid
 * shows it for the focused row).
 */
import type { ICellRendererComp, ICellRendererParams } from 'ag-grid-community';
import type { BreakRow } from '../../../../engine/contract/index.ts';
import { charDiff, wantsCharDiff } from './char-diff.ts';

/** ∅ for a field with no value; nothing for whole-record breaks (missing, duplicate), which have no field value. */
export function valueText(value: unknown, row: BreakRow | undefined): string {
  return value === null || value === undefined ? (row && row.field !== '*' ? '∅' : '') : String(value);
}

export class ValueCellRenderer implements ICellRendererComp<BreakRow> {
  private gui: HTMLSpanElement = document.createElement('span');

  init(params: ICellRendererParams<BreakRow>): void {
    this.gui.className = 'value-cell';
    this.draw(params);
  }

  getGui(): HTMLElement {
    return this.gui;
  }

  refresh(params: ICellRendererParams<BreakRow>): boolean {
    this.draw(params);
    return true;
  }

  private draw(params: ICellRendererParams<BreakRow>): void {
    const row = params.data;
    const side = params.colDef?.field === 'valueB' ? 'b' : 'a';
    const text = valueText(params.value, row);
    this.gui.replaceChildren();
    this.gui.title = text;
    if (!row || !wantsCharDiff(row)) {
      this.gui.textContent = text;
      return;
    }
    for (const seg of charDiff(row.valueA!, row.valueB!)[side]) {
      if (!seg.changed) {
        this.gui.append(seg.text);
        continue;
      }
      const mark = document.createElement('mark');
      mark.className = `char-diff char-diff-${side}`;
      mark.textContent = seg.text;
      this.gui.append(mark);
    }
  }
}
