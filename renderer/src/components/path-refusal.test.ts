import { describe, expect, it } from 'vitest';
import { pathRefusal, pathRefusalText } from './path-refusal.ts';

/** The engine's refusal, as engine/host/service.ts words it. */
const refused = (call: string, arg: string, use: 'read' | 'write') => ({
  code: 'INVALID_ARGUMENT' as const,
  message: `${call}: "/data/x.csv" was not chosen in this session's file dialog; choose it with Browse… (Open)`,
  details: { call, arg, path: '/data/x.csv', use, reason: 'PATH_NOT_CHOSEN' },
});

describe('a path the desktop app refused', () => {
  it('is told apart from other errors', () => {
    expect(pathRefusal(refused('files.preview', 'path', 'read'))).toEqual({ call: 'files.preview', arg: 'path', path: '/data/x.csv', use: 'read' });
    expect(pathRefusal({ code: 'INVALID_ARGUMENT', message: 'bad', details: { call: 'files.preview' } })).toBeNull();
    expect(pathRefusal({ code: 'INPUT_NOT_FOUND', message: 'gone', details: { reason: 'PATH_NOT_CHOSEN' } })).toBeNull();
  });

  it('names the file and says to use Browse…', () => {
    const a = pathRefusalText(pathRefusal(refused('runs.start', 'aPath', 'read'))!);
    expect(a.title).toBe("Source A's file cannot be read: it was typed, not picked with Browse…");
    expect(a.hint).toContain('Use Browse… to pick it');
    expect(pathRefusalText(pathRefusal(refused('definitions.infer', 'bPath', 'read'))!).title).toMatch(/^Source B's file/);
    expect(pathRefusalText(pathRefusal(refused('definitions.import', 'path', 'read'))!).title).toMatch(/^The definition file/);
    const w = pathRefusalText(pathRefusal(refused('audit.export', 'path', 'write'))!);
    expect(w.title).toBe('The export file cannot be written: it was typed, not chosen with Browse…');
    expect(w.hint).toContain("exports folder");
    expect(w.hint).toContain('Use Browse… to choose where to save it');
  });
});
