import { isInputError, toErrorData } from '../errors/recon-error.ts';
import { DEFINITION_USAGE, definitionCommand } from './commands/definition.ts';
import { DEMO_USAGE, demoCommand } from './commands/demo.ts';
import { EVIDENCE_USAGE, evidenceCommand } from './commands/evidence.ts';
import { EXPORT_USAGE, exportCommand } from './commands/export.ts';
import { GENERATE_USAGE, generateCommand } from './commands/generate.ts';
import { AUDIT_USAGE, auditCommand } from './commands/audit.ts';
import { MODEL_USAGE, modelCommand } from './commands/model.ts';
import { REVIEW_USAGE, reviewCommand } from './commands/review.ts';
import { RUN_USAGE, runCommand } from './commands/run.ts';
import { SERVE_USAGE, serveCommand } from './commands/serve.ts';
import { SYNC_USAGE, syncCommand } from './commands/sync.ts';
import { USERS_USAGE, usersCommand } from './commands/users.ts';
import { versionText } from './version.ts';

const USAGE = `Recon Workstation — reconcile two extracts, explain every break.

Usage:
  ${DEMO_USAGE.split('\n')[0]}
  ${RUN_USAGE.split('\n')[0]}
  ${GENERATE_USAGE.split('\n')[0]}
  ${DEFINITION_USAGE.split('\n').join('\n  ')}
  ${REVIEW_USAGE.split('\n')[0]}
  ${USERS_USAGE.split('\n')[0]}
  ${AUDIT_USAGE.split('\n')[0]}
  ${MODEL_USAGE.split('\n').slice(0, 3).join('\n  ')}
  ${SERVE_USAGE.split('\n')[0]}
  ${SYNC_USAGE.split('\n')[0]}
  ${EXPORT_USAGE.split('\n')[0]}
  ${EVIDENCE_USAGE.split('\n')[0]}
  recon --version

Run "recon <command> --help" for details.`;

type Command = (argv: string[]) => Promise<number>;
const COMMANDS: Record<string, { run: Command; usage: string }> = {
  run: { run: runCommand, usage: RUN_USAGE },
  demo: { run: demoCommand, usage: DEMO_USAGE },
  generate: { run: generateCommand, usage: GENERATE_USAGE },
  definition: { run: definitionCommand, usage: DEFINITION_USAGE },
  review: { run: reviewCommand, usage: REVIEW_USAGE },
  users: { run: usersCommand, usage: USERS_USAGE },
  audit: { run: auditCommand, usage: AUDIT_USAGE },
  model: { run: modelCommand, usage: MODEL_USAGE },
  serve: { run: serveCommand, usage: SERVE_USAGE },
  sync: { run: syncCommand, usage: SYNC_USAGE },
  export: { run: exportCommand, usage: EXPORT_USAGE },
  evidence: { run: evidenceCommand, usage: EVIDENCE_USAGE },
};

/** Entry point of the `recon` CLI; returns the exit code (0 ok, 2 bad input, 1 internal error). */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-v') {
    process.stdout.write(`${await versionText()}\n`);
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`unknown command "${name}"\n\n${USAGE}\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
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
