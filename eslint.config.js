// Flat config. Not type-aware on purpose: it stays fast enough to run on save.
// The folder boundaries below use the core `no-restricted-imports` rule (plus
// no-restricted-syntax for `import()` expressions, which that rule skips), and
// scripts/lint-boundaries.test.ts proves each of them fires.
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import globals from 'globals';
import { builtinModules } from 'node:module';
import tseslint from 'typescript-eslint';

/** Bare Node built-in names (fs, path, child_process...); `node:*` is matched by a pattern. */
const NODE_BUILTINS = builtinModules.filter((name) => !name.startsWith('_') && !name.startsWith('node:'));

/**
 * A relative import into engine/ other than engine/contract/ (the typed
 * contract shared with the UI). A `..` after contract/ cannot climb back out.
 */
const ENGINE_EXCEPT_CONTRACT = String.raw`^(?:\.{1,2}/)+(?:(?!engine(?:/|$))[^/]+/)*engine(?:/|$)(?!contract/(?!(?:.*/)?\.\.(?:/|$)))`;

/** A relative import into electron/ or renderer/. */
const INTO_UI = String.raw`^(?:\.{1,2}/)+(?:.*/)?(?:electron|renderer)(?:/|$)`;
/** A relative import into renderer/. */
const INTO_RENDERER = String.raw`^(?:\.{1,2}/)+(?:.*/)?renderer(?:/|$)`;
/** Any Node built-in, bare or node: prefixed, with or without a subpath. */
const ANY_BUILTIN = String.raw`^(?:node:|(?:${NODE_BUILTINS.join('|')})(?:/|$))`;

/**
 * no-restricted-imports does not see `import('x')` expressions, so each
 * boundary bans the same modules there through no-restricted-syntax.
 */
function banDynamicImports(moduleRegex, message) {
  // esquery regex literals end at the first '/', so slashes are written \x2F.
  const regex = moduleRegex.replaceAll('/', String.raw`\x2F`);
  return ['error', { selector: `ImportExpression[source.value=/${regex}/]`, message }];
}

const ENGINE_PURE = 'engine/ is pure Node: no Electron, React, AG Grid or UI code (STYLE.md habit 1).';
const RENDERER_NO_NODE = 'The renderer is sandboxed web code: no Node, Electron or database modules; go through the typed API.';
const RENDERER_CONTRACT_ONLY = 'The renderer may import only engine/contract/ from the engine.';
const PRELOAD_SANDBOXED = 'A sandboxed preload can require only electron: no Node modules.';
const PRELOAD_CONTRACT_ONLY = 'The preload may import only engine/contract/ from the engine.';
const MAIN_NO_UI = 'The main process does not import UI code.';

export default defineConfig(
  globalIgnores(['out/', 'dist/', 'docs/', 'node_modules/', 'coverage/', '.scratch/']),

  js.configs.recommended,
  tseslint.configs.recommended,

  {
    files: ['engine/**', 'electron/**', 'scripts/**', 'bench/**', 'bin/**', 'e2e/**', '*.config.{js,ts}'],
    languageOptions: { globals: globals.node },
  },
  {
    files: ['renderer/**'],
    languageOptions: { globals: globals.browser },
  },

  {
    files: ['engine/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['electron', 'react', 'react-dom'].map((name) => ({ name, message: ENGINE_PURE })),
          patterns: [
            { group: ['electron/*', 'react/*', 'react-dom/*', 'ag-grid-*', '@ag-grid-*/*'], message: ENGINE_PURE },
            { regex: INTO_UI, message: ENGINE_PURE },
          ],
        },
      ],
      'no-restricted-syntax': banDynamicImports(
        String.raw`^(?:electron|react|react-dom|@?ag-grid-[^/]*)(?:/|$)|${INTO_UI}`,
        ENGINE_PURE,
      ),
    },
  },

  {
    files: ['renderer/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['electron', 'better-sqlite3', ...NODE_BUILTINS].map((name) => ({ name, message: RENDERER_NO_NODE })),
          patterns: [
            { group: ['node:*', 'electron/*', '@duckdb/*', 'better-sqlite3/*'], message: RENDERER_NO_NODE },
            { regex: ENGINE_EXCEPT_CONTRACT, message: RENDERER_CONTRACT_ONLY },
          ],
        },
      ],
      'no-restricted-syntax': banDynamicImports(
        String.raw`${ANY_BUILTIN}|^(?:electron|better-sqlite3|@duckdb/[^/]+)(?:/|$)|${ENGINE_EXCEPT_CONTRACT}`,
        RENDERER_NO_NODE,
      ),
    },
  },

  {
    // electron/shared/ is bundled into the preload, so it obeys the same limits.
    files: ['electron/preload/**', 'electron/shared/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: NODE_BUILTINS.map((name) => ({ name, message: PRELOAD_SANDBOXED })),
          patterns: [
            { group: ['node:*'], message: PRELOAD_SANDBOXED },
            { regex: ENGINE_EXCEPT_CONTRACT, message: PRELOAD_CONTRACT_ONLY },
          ],
        },
      ],
      'no-restricted-syntax': banDynamicImports(`${ANY_BUILTIN}|${ENGINE_EXCEPT_CONTRACT}`, PRELOAD_SANDBOXED),
    },
  },

  {
    files: ['electron/main/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['react', 'react-dom'].map((name) => ({ name, message: MAIN_NO_UI })),
          patterns: [
            { group: ['react/*', 'react-dom/*', 'ag-grid-*'], message: MAIN_NO_UI },
            { regex: INTO_RENDERER, message: MAIN_NO_UI },
          ],
        },
      ],
      'no-restricted-syntax': banDynamicImports(String.raw`^(?:react|react-dom)(?:/|$)|${INTO_RENDERER}`, MAIN_NO_UI),
    },
  },
);
