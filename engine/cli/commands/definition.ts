import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { definitionJsonSchema } from '../../definition/json-schema.ts';
import { loadDefinitionFile } from '../../definition/load.ts';

export const DEFINITION_USAGE = `recon definition schema [--out FILE]    print (or write) the JSON Schema of recon definitions
recon definition validate FILE           check a definition file`;

/** `recon definition …`: the published schema and validation. */
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
  process.stderr.write(`${DEFINITION_USAGE}\n`);
  return 2;
}
