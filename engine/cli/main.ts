import { isInputError, toErrorData } from '../errors/recon-error.ts';
import type { JobChannel } from '../worker/client.ts';

type Command = (argv: string[]) => Promise<number>;
interface LoadedCommand {
  run: Command;
  usage: string;
}

/**
 * Each command's module is loaded only when that command runs, so `recon run`
 * does not load the team-sync client, the report writers or the web server
 * (and `recon --version` loads none of them): start-up is part of every run.
 */
const COMMANDS: Record<string, () => Promise<LoadedCommand>> = {
  demo: async () => ((m) => ({ run: m.demoCommand, usage: m.DEMO_USAGE }))(await import('./commands/demo.ts')),
  run: async () => ((m) => ({ run: (argv) => m.runCommand(argv, takeEarlyRunWorker()), usage: m.RUN_USAGE }))(await import('./commands/run.ts')),
  generate: async () => ((m) => ({ run: m.generateCommand, usage: m.GENERATE_USAGE }))(await import('./commands/generate.ts')),
  definition: async () => ((m) => ({ run: m.definitionCommand, usage: m.DEFINITION_USAGE }))(await import('./commands/definition.ts')),
  review: async () => ((m) => ({ run: m.reviewCommand, usage: m.REVIEW_USAGE }))(await import('./commands/review.ts')),
  rules: async () => ((m) => ({ run: m.rulesCommand, usage: m.RULES_USAGE }))(await import('./commands/rules.ts')),
  users: async () => ((m) => ({ run: m.usersCommand, usage: m.USERS_USAGE }))(await import('./commands/users.ts')),
  audit: async () => ((m) => ({ run: m.auditCommand, usage: m.AUDIT_USAGE }))(await import('./commands/audit.ts')),
  model: async () => ((m) => ({ run: m.modelCommand, usage: m.MODEL_USAGE }))(await import('./commands/model.ts')),
  serve: async () => ((m) => ({ run: m.serveCommand, usage: m.SERVE_USAGE }))(await import('./commands/serve.ts')),
  sync: async () => ((m) => ({ run: m.syncCommand, usage: m.SYNC_USAGE }))(await import('./commands/sync.ts')),
  export: async () => ((m) => ({ run: m.exportCommand, usage: m.EXPORT_USAGE }))(await import('./commands/export.ts')),
  evidence: async () => ((m) => ({ run: m.evidenceCommand, usage: m.EVIDENCE_USAGE }))(await import('./commands/evidence.ts')),
  source: async () => ((m) => ({ run: m.sourceCommand, usage: m.SOURCE_USAGE }))(await import('./commands/source.ts')),
  cluster: async () => ((m) => ({ run: m.clusterCommand, usage: m.CLUSTER_USAGE }))(await import('./commands/cluster.ts')),
};

/**
 * `recon run`'s worker thread, started before the command's own modules load, so
 * that it loads the engine and DuckDB (~0.4 s) while this thread loads zod and
 * SQLite, reads the definition and opens the store. Handed to the command once.
 */
let earlyRunWorker: JobChannel | undefined;
function takeEarlyRunWorker(): JobChannel | undefined {
  const worker = earlyRunWorker;
  earlyRunWorker = undefined;
  return worker;
}

/** How many lines of each command's usage the overview shows (the rest is its --help). */
const OVERVIEW_LINES: Partial<Record<string, number>> = { definition: Infinity, model: 3 };

/** `recon` alone or `recon --help`: the first line(s) of every command's usage (loads them all; help is rare). */
async function usage(): Promise<string> {
  const lines: string[] = [];
  for (const [name, load] of Object.entries(COMMANDS)) {
    const all = (await load()).usage.split('\n');
    lines.push(...all.slice(0, OVERVIEW_LINES[name] ?? 1));
  }
  return ['Recon Workstation — reconcile two extracts, explain every break.', '', 'Usage:', ...lines.map((l) => `  ${l}`), '  recon --version', '', 'Run "recon <command> --help" for details.'].join('\n');
}

/** Entry point of the `recon` CLI; returns the exit code (0 ok, 2 bad input, 1 internal error). */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${await usage()}\n`);
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-v') {
    // Loaded on demand: it opens DuckDB and SQLite to name their versions, which no other command needs at start.
    const { versionText } = await import('./version.ts');
    process.stdout.write(`${await versionText()}\n`);
    return 0;
  }
  const load = COMMANDS[name];
  if (!load) {
    process.stderr.write(`unknown command "${name}"\n\n${await usage()}\n`);
    return 2;
  }
  const help = rest.includes('--help') || rest.includes('-h');
  if (name === 'run' && !help) earlyRunWorker = (await import('../worker/client.ts')).startWorker('run');
  const command = await load();
  if (help) {
    process.stdout.write(`${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    const data = toErrorData(err);
    if ((err as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' || (err as { code?: string }).code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      process.stderr.write(`${(err as Error).message}\n\n${command.usage}\n`);
      return 2;
    }
    // Engine messages already start with the file, line and column they are about.
    process.stderr.write(`error [${data.code}]: ${data.message}\n`);
    return isInputError(data.code) ? 2 : 1;
  }
}
