/**
 * A fresh workspace store with the seeded users for each test of the calling
 * file. Separate from fixtures.ts, which the crash writer loads outside vitest.
 */
import { afterEach, beforeEach } from 'vitest';
import { openStore } from '../../store/open.ts';
import type { Store } from '../../store/store.ts';
import { seedUsers, tempDir } from './fixtures.ts';

/** Registers beforeEach/afterEach; read `.store` and `.dir` inside tests. */
export function useSeededStore(): { readonly store: Store; readonly dir: string } {
  let tmp: ReturnType<typeof tempDir>;
  let store: Store;
  beforeEach(() => {
    tmp = tempDir();
    store = openStore(tmp.dir);
    seedUsers(store);
  });
  afterEach(() => {
    store.close();
    tmp.cleanup();
  });
  return {
    get store() {
      return store;
    },
    get dir() {
      return tmp.dir;
    },
  };
}
