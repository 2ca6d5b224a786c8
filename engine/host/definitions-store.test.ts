import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { definitionSchema } from '../definition/schema.ts';
import { definitionsStore } from './definitions-store.ts';

let workspace: string;
beforeEach(async () => {
  workspace = await mkdtemp(join(tmpdir(), 'recon-defs-'));
});
afterEach(async () => {
  await rm(workspace, { recursive: true, force: true });
});

const definition = (name: string, b: string) => definitionSchema.parse({ name, key: ['id'], fields: [{ name: 'id' }, { name: 'qty', b, type: 'integer' }] });

describe('definitions store', () => {
  it('saves a definition over the file it was saved in, whatever that file is called', async () => {
    await mkdir(join(workspace, 'definitions'));
    // Written by hand: the file name is not the name's slug.
    await writeFile(join(workspace, 'definitions', 'clarity.json'), JSON.stringify(definition('Clarity e2e', 'qty_wrong')));
    const store = definitionsStore(workspace);
    const saved = await store.save(definition('Clarity e2e', 'qty'), true);
    expect(saved.file).toBe('clarity');
    expect(await readdir(join(workspace, 'definitions'))).toEqual(['clarity.json']);
    const json = JSON.parse(await readFile(join(workspace, 'definitions', 'clarity.json'), 'utf8')) as { fields: { b?: string }[] };
    expect(json.fields[1]?.b).toBe('qty');
    expect((await store.list()).map((d) => d.name)).toEqual(['Clarity e2e']);
  });

  it('writes a new definition under its name, and refuses to overwrite when asked not to', async () => {
    const store = definitionsStore(workspace);
    expect((await store.save(definition('Trades vs custodian', 'q'), true)).file).toBe('trades-vs-custodian');
    await expect(store.save(definition('Trades vs custodian', 'q'), false)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect((await store.save(definition('Other', 'q'), true)).file).toBe('other');
    expect(await readdir(join(workspace, 'definitions'))).toEqual(['other.json', 'trades-vs-custodian.json']);
  });
});
