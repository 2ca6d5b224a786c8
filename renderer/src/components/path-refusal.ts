/**
 * The desktop app's refusal of a path nobody picked (PATH_NOT_CHOSEN: the engine reads and writes
 * only files picked in this session's dialogs, the workspace's exports folder, and the files of
 * this workspace's runs; docs/DESKTOP-SECURITY.md), in the words of the person at the form: which
 * file, and to use Browse…. Pure, so it is tested without a browser.
 */
import type { ErrorData } from '../../../engine/contract/index.ts';

/** A refused path: the call, its argument, the path as the engine resolved it, and whether it was to be read or written. */
export interface PathRefusal {
  call: string;
  arg: string;
  path: string;
  use: 'read' | 'write';
}

/** The refusal in `error`, or null when it is another error. */
export function pathRefusal(error: ErrorData): PathRefusal | null {
  const d = error.details ?? {};
  if (error.code !== 'INVALID_ARGUMENT' || d['reason'] !== 'PATH_NOT_CHOSEN') return null;
  const use = d['use'] === 'write' ? 'write' : 'read';
  return { call: String(d['call'] ?? ''), arg: String(d['arg'] ?? ''), path: String(d['path'] ?? ''), use };
}

/** Which file the argument is, as the form names it. */
function fileName(r: PathRefusal): string {
  if (r.arg === 'aPath') return "Source A's file";
  if (r.arg === 'bPath') return "Source B's file";
  if (r.call === 'definitions.import' || r.call === 'definitions.export') return 'The definition file';
  if (r.call === 'runs.export' || r.call === 'audit.export') return 'The export file';
  return 'This file';
}

/** What to tell the person: the file was typed, not picked; pick it with Browse…. */
export function pathRefusalText(r: PathRefusal): { title: string; hint: string } {
  if (r.use === 'write') {
    return {
      title: `${fileName(r)} cannot be written: it was typed, not chosen with Browse…`,
      hint: "The desktop app writes only where you choose with Browse… (a Save dialog), or into the workspace's exports folder. Use Browse… to choose where to save it.",
    };
  }
  return {
    title: `${fileName(r)} cannot be read: it was typed, not picked with Browse…`,
    hint: 'The desktop app reads only files you pick with Browse… (and the files of runs made in this workspace). Use Browse… to pick it; the dialog can start there.',
  };
}
