/**
 * Saved recon definitions as JSON files in `<workspace>/definitions/` (the
 * workflow store's versioned definitions table takes over later, behind the
 * same calls).
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { definitionSchema, type DefinitionInput } from '../definition/schema.ts';
import { ReconError } from '../errors/recon-error.ts';

export interface SavedDefinition {
  file: string;
  name: string;
  savedAt: string;
}

/** A file name for a definition name: "Trades vs custodian" → "trades-vs-custodian". */
export function definitionFileName(name: string): string {
  const slug = name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[-._]+|[-._]+$/g, '')
    .slice(0, 80);
  return slug === '' ? 'definition' : slug;
}

export function definitionsStore(workspace: string) {
  const dir = join(workspace, 'definitions');
  const store = {
    async list(): Promise<SavedDefinition[]> {
      if (!existsSync(dir)) return [];
      const out: SavedDefinition[] = [];
      for (const f of (await readdir(dir)).filter((x) => x.endsWith('.json')).sort()) {
        try {
          const json = JSON.parse(await readFile(join(dir, f), 'utf8')) as { name?: unknown };
          const s = await stat(join(dir, f));
          out.push({ file: f.slice(0, -'.json'.length), name: typeof json.name === 'string' ? json.name : f, savedAt: s.mtime.toISOString() });
        } catch {
          // Not a definition file; the list shows only readable ones.
        }
      }
      return out;
    },
    async get(file: string): Promise<unknown> {
      const path = join(dir, `${file}.json`);
      if (!existsSync(path)) throw new ReconError('NOT_FOUND', `no saved definition "${file}"`, { file });
      const json = JSON.parse(await readFile(path, 'utf8')) as unknown;
      const parsed = definitionSchema.safeParse(json);
      if (!parsed.success) throw new ReconError('DEFINITION_INVALID', `${path}: ${parsed.error.issues[0]?.message ?? 'invalid'}`, { file: path });
      return json;
    },
    async save(definition: DefinitionInput, overwrite: boolean): Promise<{ file: string; path: string }> {
      await mkdir(dir, { recursive: true });
      // A definition saved before under this name is updated in its own file, whatever that
      // file is called (one written by hand, or named before the name changed), never copied.
      const slug = definitionFileName(definition.name);
      const same = (await store.list()).filter((d) => d.name === definition.name).map((d) => d.file);
      const file = same.length === 0 || same.includes(slug) ? slug : same[0]!;
      const path = join(dir, `${file}.json`);
      if (!overwrite && existsSync(path)) {
        throw new ReconError('INVALID_ARGUMENT', `a definition named "${definition.name}" already exists (${file}.json)`, { file });
      }
      await writeFile(path, `${JSON.stringify(definition, null, 2)}\n`);
      return { file, path };
    },
  };
  return store;
}
