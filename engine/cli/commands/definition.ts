import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { definitionJsonSchema } from '../../definition/json-schema.ts';
import { loadDefinitionFile, validateDefinition } from '../../definition/load.ts';
import { ReconError } from '../../errors/recon-error.ts';
import { applyRuleProposals, columnWideProposals } from '../../infer/apply-rules.ts';
import { formatInferenceReport } from '../../infer/format-report.ts';
import { inferDefinition } from '../../infer/infer.ts';

export const DEFINITION_USAGE = `recon definition schema [--out FILE]    print (or write) the JSON Schema of recon definitions
recon definition validate FILE           check a definition file
recon definition infer --a FILE --b FILE [--out DEF.json] [--json] [--sample-rows N] [--seed S] [--name NAME] [--accept-rules]
                                         propose a definition from two files, with a confidence and reason for each choice;
                                         --accept-rules puts every column-wide rule proposal into it: scale, sign and day shift
                                         as "adjust", abs, rel and day tolerances as "tolerance"`;

/** `recon definition …`: the published schema, validation and inference. */
export async function definitionCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'schema') {
    const { values } = parseArgs({ args: rest, options: { out: { type: 'string' } }, strict: true });
    const text = `${JSON.stringify(definitionJsonSchema(), null, 2)}\n`;
    if (values.out) await writeFile(values.out, text);
    else process.stdout.write(text);
    return 0;
  }
  if (sub === 'validate' && rest[0]) {
    const def = await loadDefinitionFile(rest[0]);
    process.stdout.write(`${rest[0]}: valid definition "${def.name}" (${def.fields.length} fields, key ${def.key.join(' + ')})\n`);
    return 0;
  }
  if (sub === 'infer') return inferCommand(rest);
  process.stderr.write(`${DEFINITION_USAGE}\n`);
  return 2;
}

/**
 * `recon definition infer`: the report to stdout (or everything as JSON with
 * --json); the definition to --out, else after the report. Rule and tolerance
 * proposals stay out of the definition unless --accept-rules says to take the
 * column-wide ones.
 */
async function inferCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      a: { type: 'string' },
      b: { type: 'string' },
      out: { type: 'string' },
      json: { type: 'boolean', default: false },
      'sample-rows': { type: 'string' },
      seed: { type: 'string' },
      name: { type: 'string' },
      'accept-rules': { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (!values.a || !values.b) {
    process.stderr.write(`missing --a or --b\n\n${DEFINITION_USAGE}\n`);
    return 2;
  }
  const whole = (flag: string, v: string | undefined): number | undefined => {
    if (v === undefined) return undefined;
    const x = Number(v);
    if (!Number.isSafeInteger(x) || x <= 0) throw new ReconError('INVALID_ARGUMENT', `--${flag} must be a positive whole number, got "${v}"`);
    return x;
  };
  const sampleRows = whole('sample-rows', values['sample-rows']);
  const seed = whole('seed', values.seed);
  const result = await inferDefinition({
    aPath: values.a,
    bPath: values.b,
    ...(sampleRows !== undefined ? { sampleRows } : {}),
    ...(seed !== undefined ? { seed } : {}),
    ...(values.name ? { name: values.name } : {}),
  });
  const accepted = values['accept-rules'] ? columnWideProposals(result.report.rules) : [];
  const definition = accepted.length > 0 ? applyRuleProposals(result.definition, accepted) : result.definition;
  // The merged rules must make a valid definition before anything is written.
  if (accepted.length > 0) validateDefinition(definition, 'inferred definition with accepted rules');
  const definitionText = `${JSON.stringify(definition, null, 2)}\n`;
  if (values.out) await writeFile(values.out, definitionText);
  if (values.json) {
    const out = values['accept-rules'] ? { ...result, definition, acceptedRules: accepted } : result;
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  } else {
    process.stdout.write(formatInferenceReport({ ...result, definition }, values['accept-rules'] ? accepted : undefined));
    process.stdout.write(values.out ? `\nDefinition written to ${values.out}\n` : `\n${definitionText}`);
  }
  return 0;
}
