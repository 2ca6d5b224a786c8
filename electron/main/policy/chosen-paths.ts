/**
 * Which file paths the renderer may hand the engine in the desktop app. A
 * renderer compromised by an XSS could otherwise name any path to
 * files.preview, runs.export and the other path-taking calls: arbitrary file
 * read and write with the user's rights. So a path is accepted only when the
 * person picked it in a native dialog of this session (a file picked to open
 * is readable, a file picked to save is writable; a picked folder covers what
 * is inside it), or when it lies in a folder the app owns (the workspace's
 * exports/), or, for reading only, when this workspace's own runs read it
 * (the runs registry: the person chose those files when they started the run,
 * and "Run again" starts from them). Pure, so it is tested without Electron;
 * engine-host.ts records each dialog's answer, reads the registry and hands
 * `allows` to the service as its path policy.
 */
import path from 'node:path';

/** What a call does with a path: reads it (a source, a definition file) or writes it (an export). */
export type PathUse = 'read' | 'write';

/** A native dialog's answer: a file to open, a file to save, or a folder (read and write inside it). */
export type ChoiceKind = 'open' | 'save' | 'folder';

interface Choice {
  kind: ChoiceKind;
  key: string;
}

export interface ChosenPathsOptions {
  /** Folders the app itself owns: any path inside them may be read and written. */
  ownedFolders?: readonly string[];
  /**
   * Files this workspace's own runs read (the runs registry), readable again without a dialog. Asked at
   * each check, so a run started meanwhile counts; relative paths (a CLI run's, relative to a folder this
   * process does not know) are ignored.
   */
  recordedInputs?: () => Iterable<string>;
  /** Path rules of this platform (default: this process's); Windows and macOS compare case-insensitively. */
  platform?: NodeJS.Platform;
}

/** The paths the person chose in this session's dialogs, and the app's own folders. */
export class ChosenPaths {
  private readonly choices: Choice[] = [];
  private readonly owned: string[];
  private readonly recordedInputs: () => Iterable<string>;
  private readonly pathApi: typeof path.posix;
  private readonly foldCase: boolean;

  constructor(opts: ChosenPathsOptions = {}) {
    const platform = opts.platform ?? process.platform;
    this.pathApi = platform === 'win32' ? path.win32 : path.posix;
    this.foldCase = platform === 'win32' || platform === 'darwin';
    this.owned = (opts.ownedFolders ?? []).map((f) => this.key(f));
    this.recordedInputs = opts.recordedInputs ?? (() => []);
  }

  /** Records a dialog's answer; a cancelled dialog (null) records nothing. */
  remember(chosen: string | null, kind: ChoiceKind): void {
    if (chosen === null || chosen.trim() === '') return;
    this.choices.push({ kind, key: this.key(chosen) });
  }

  /** True when `candidate` may be used for `use`: chosen for it in this session, inside an owned or chosen folder, or (read) an input of a recorded run. */
  allows(candidate: string, use: PathUse): boolean {
    if (candidate.includes('\u0000')) return false;
    const k = this.key(candidate);
    if (this.owned.some((folder) => this.isInside(k, folder))) return true;
    if (use === 'read' && this.isRecordedInput(k)) return true;
    return this.choices.some((c) => {
      switch (c.kind) {
        case 'open':
          return use === 'read' && c.key === k;
        case 'save':
          return use === 'write' && c.key === k;
        case 'folder':
          return this.isInside(k, c.key);
      }
    });
  }

  /** True when a recorded run read the file `k` (absolute recorded paths only). */
  private isRecordedInput(k: string): boolean {
    for (const p of this.recordedInputs()) {
      if (p !== '' && !p.includes('\u0000') && this.pathApi.isAbsolute(p) && this.key(p) === k) return true;
    }
    return false;
  }

  /** An absolute, normalized path (`..` resolved), case-folded where the file system usually is. */
  private key(p: string): string {
    const resolved = this.pathApi.resolve(p);
    return this.foldCase ? resolved.toLowerCase() : resolved;
  }

  /** Strictly inside `folder` (the folder itself is not a file to read or write). */
  private isInside(k: string, folder: string): boolean {
    const rel = this.pathApi.relative(folder, k);
    return rel !== '' && rel !== '..' && !rel.startsWith(`..${this.pathApi.sep}`) && !this.pathApi.isAbsolute(rel);
  }
}

/** Wraps the host's dialog so that every path the person picks is remembered for the mode it was picked in. */
export function rememberingDialog<R extends { mode: 'open' | 'save' }>(paths: ChosenPaths, dialog: (request: R) => Promise<string | null>): (request: R) => Promise<string | null> {
  return async (request) => {
    const chosen = await dialog(request);
    paths.remember(chosen, request.mode);
    return chosen;
  };
}
