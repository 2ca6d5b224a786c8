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
/** From a file in an engine folder: a relative import into engine/worker/ or engine/training/. */
const INTO_WORKER_OR_TRAINING = String.raw`^(?:\.\./)+(?:worker|training)(?:/|$)`;
/** From a file in an engine folder: a relative import into engine/worker/. */
const INTO_WORKER = String.raw`^(?:\.\./)+worker(?:/|$)`;
/** From a file in an engine folder: a relative import into engine/run/. */
const INTO_RUN = String.raw`^(?:\.\./)+run(?:/|$)`;
/** From a file in an engine folder: a relative import into a host (engine/host/, engine/cli/, engine/serve/). */
const INTO_HOSTS = String.raw`^(?:\.\./)+(?:host|cli|serve)(?:/|$)`;
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
const BELOW_WORKER = 'engine/worker/ (the worker protocol) and engine/training/ sit above the engine steps: only hosts import the worker, only the worker and hosts import training.';
const ATTRIBUTION_BELOW_RUN = 'engine/attribution/ runs inside a run: code that runs whole recons (training, evaluation) belongs in engine/training/.';
const WORKER_BELOW_HOSTS = 'engine/worker/ serves the hosts (host/, cli/, serve/) and never imports them.';
const TRAINING_BELOW_WORKER = 'engine/training/ is used by the worker and the CLI: it imports neither them nor the hosts.';
const RUN_FILE_BELOW_HOSTS = 'engine/run-file/ (a run file read, paged and cached) serves the hosts: host/ adapts the contract to it, never the reverse.';
const RENDERER_NO_NODE = 'The renderer is sandboxed web code: no Node, Electron or database modules; go through the typed API.';
const RENDERER_CONTRACT_ONLY = 'The renderer may import only engine/contract/ from the engine.';
const PRELOAD_SANDBOXED = 'A sandboxed preload can require only electron: no Node modules.';
const PRELOAD_CONTRACT_ONLY = 'The preload may import only engine/contract/ from the engine.';
const MAIN_NO_UI = 'The main process does not import UI code.';

/**
 * engine/'s rules: pure (no UI), plus a folder's own boundaries `extra`
 * (relative-import regexes). A later config object replaces a rule's options
 * rather than adding to them, so every engine block passes through here.
 */
function engineRules(extra) {
  return {
    'no-restricted-imports': [
      'error',
      {
        paths: ['electron', 'react', 'react-dom'].map((name) => ({ name, message: ENGINE_PURE })),
        patterns: [
          { group: ['electron/*', 'react/*', 'react-dom/*', 'ag-grid-*', '@ag-grid-*/*'], message: ENGINE_PURE },
          { regex: INTO_UI, message: ENGINE_PURE },
          ...extra,
        ],
      },
    ],
    'no-restricted-syntax': [
      ...banDynamicImports(String.raw`^(?:electron|react|react-dom|@?ag-grid-[^/]*)(?:/|$)|${INTO_UI}`, ENGINE_PURE),
      ...extra.map(({ regex, message }) => banDynamicImports(regex, message)[1]),
    ],
  };
}

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

  { files: ['engine/**'], rules: engineRules([]) },
  {
    files: ['engine/**'],
    ignores: ['engine/{host,cli,serve,worker,training}/**'],
    rules: engineRules([{ regex: INTO_WORKER_OR_TRAINING, message: BELOW_WORKER }]),
  },
  {
    files: ['engine/attribution/**'],
    rules: engineRules([
      { regex: INTO_WORKER_OR_TRAINING, message: BELOW_WORKER },
      { regex: INTO_RUN, message: ATTRIBUTION_BELOW_RUN },
    ]),
  },
  { files: ['engine/worker/**'], rules: engineRules([{ regex: INTO_HOSTS, message: WORKER_BELOW_HOSTS }]) },
  { files: ['engine/training/**'], rules: engineRules([{ regex: `${INTO_HOSTS}|${INTO_WORKER}`, message: TRAINING_BELOW_WORKER }]) },
  {
    files: ['engine/run-file/**'],
    rules: engineRules([
      { regex: INTO_WORKER_OR_TRAINING, message: BELOW_WORKER },
      { regex: INTO_HOSTS, message: RUN_FILE_BELOW_HOSTS },
    ]),
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
