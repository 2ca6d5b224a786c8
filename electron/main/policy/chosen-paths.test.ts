import { describe, expect, it } from 'vitest';
import { ChosenPaths } from './chosen-paths.ts';

describe('ChosenPaths', () => {
  it('allows nothing before the person chooses', () => {
    const paths = new ChosenPaths({ platform: 'linux' });
    expect(paths.allows('/etc/passwd', 'read')).toBe(false);
    expect(paths.allows('/home/ada/.bashrc', 'write')).toBe(false);
  });

  it('lets a file picked to open be read, never written', () => {
    const paths = new ChosenPaths({ platform: 'linux' });
    paths.remember('/data/a.csv', 'open');
    expect(paths.allows('/data/a.csv', 'read')).toBe(true);
    expect(paths.allows('/data/a.csv', 'write')).toBe(false);
    // Only that file: not its neighbours, nor its folder.
    expect(paths.allows('/data/b.csv', 'read')).toBe(false);
    expect(paths.allows('/data', 'read')).toBe(false);
  });

  it('lets a file picked to save be written, never read', () => {
    const paths = new ChosenPaths({ platform: 'linux' });
    paths.remember('/reports/run.xlsx', 'save');
    expect(paths.allows('/reports/run.xlsx', 'write')).toBe(true);
    expect(paths.allows('/reports/run.xlsx', 'read')).toBe(false);
    expect(paths.allows('/reports/run.xlsx.bak', 'write')).toBe(false);
  });

  it('compares normalized paths: dot segments cannot climb out of a choice', () => {
    const paths = new ChosenPaths({ platform: 'linux' });
    paths.remember('/data/in/a.csv', 'open');
    expect(paths.allows('/data/in/./x/../a.csv', 'read')).toBe(true);
    expect(paths.allows('/data/in/a.csv/../../../etc/passwd', 'read')).toBe(false);
    expect(paths.allows('/data/in/a.csv\u0000', 'read')).toBe(false);
  });

  it('ignores a cancelled dialog', () => {
    const paths = new ChosenPaths({ platform: 'linux' });
    paths.remember(null, 'open');
    paths.remember('  ', 'open');
    expect(paths.allows(process.cwd(), 'read')).toBe(false);
  });

  it('lets anything strictly inside a chosen or owned folder be read and written', () => {
    const paths = new ChosenPaths({ platform: 'linux', ownedFolders: ['/ws/exports'] });
    paths.remember('/shared/month-end', 'folder');
    for (const use of ['read', 'write'] as const) {
      expect(paths.allows('/ws/exports/run.xlsx', use)).toBe(true);
      expect(paths.allows('/ws/exports/sub/run.csv', use)).toBe(true);
      expect(paths.allows('/shared/month-end/a.csv', use)).toBe(true);
      expect(paths.allows('/shared/month-end/..hidden', use)).toBe(true);
      // The folder itself, its parent, a sibling with the same prefix, and the workspace's other files are not.
      expect(paths.allows('/ws/exports', use)).toBe(false);
      expect(paths.allows('/ws/workspace.sqlite', use)).toBe(false);
      expect(paths.allows('/ws/exports-old/run.xlsx', use)).toBe(false);
      expect(paths.allows('/ws/exports/../workspace.sqlite', use)).toBe(false);
      expect(paths.allows('/shared/month-end-2/a.csv', use)).toBe(false);
    }
  });

  it('compares case-insensitively on Windows, with either separator', () => {
    const paths = new ChosenPaths({ platform: 'win32' });
    paths.remember('C:\\Data\\A.csv', 'open');
    expect(paths.allows('c:/data/a.CSV', 'read')).toBe(true);
    expect(paths.allows('C:\\Data\\B.csv', 'read')).toBe(false);
  });

  it('compares case-sensitively on Linux', () => {
    const paths = new ChosenPaths({ platform: 'linux' });
    paths.remember('/data/A.csv', 'open');
    expect(paths.allows('/data/a.csv', 'read')).toBe(false);
  });

  it('lets the inputs of recorded runs be read again ("Run again"), never written', () => {
    let recorded = ['/data/2026-12-04/a.csv', '/data/2026-12-04/b.csv'];
    const paths = new ChosenPaths({ platform: 'linux', recordedInputs: () => recorded });
    expect(paths.allows('/data/2026-12-04/a.csv', 'read')).toBe(true);
    expect(paths.allows('/data/2026-12-04/./x/../b.csv', 'read')).toBe(true);
    expect(paths.allows('/data/2026-12-04/a.csv', 'write')).toBe(false);
    // Only those files: not their folder nor a neighbour.
    expect(paths.allows('/data/2026-12-04', 'read')).toBe(false);
    expect(paths.allows('/data/2026-12-04/c.csv', 'read')).toBe(false);
    // Asked at each check: a run recorded meanwhile counts.
    expect(paths.allows('/data/2026-12-05/a.csv', 'read')).toBe(false);
    recorded = [...recorded, '/data/2026-12-05/a.csv'];
    expect(paths.allows('/data/2026-12-05/a.csv', 'read')).toBe(true);
  });

  it('ignores recorded inputs that are relative, empty or carry a NUL', () => {
    const paths = new ChosenPaths({ platform: 'linux', recordedInputs: () => ['a.csv', '', '/data/x.csv\u0000'] });
    expect(paths.allows(`${process.cwd()}/a.csv`, 'read')).toBe(false);
    expect(paths.allows(process.cwd(), 'read')).toBe(false);
    expect(paths.allows('/data/x.csv', 'read')).toBe(false);
  });

  it('compares recorded inputs as it compares choices (case-insensitively on Windows)', () => {
    const paths = new ChosenPaths({ platform: 'win32', recordedInputs: () => ['C:\\Data\\A.csv'] });
    expect(paths.allows('c:/data/a.CSV', 'read')).toBe(true);
    expect(paths.allows('c:/data/a.CSV', 'write')).toBe(false);
  });
});
