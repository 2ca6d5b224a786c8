/**
 * Recon definitions in the workspace store, their one home: every save is a
 * new version with its audit event (so team sync pushes it), versions other
 * devices saved come down with the pull, and the JSON files the new-run screen
 * wrote before (`<workspace>/definitions/*.json`) are imported once.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseDefinitionText } from '../definition/load.ts';
import { definitionSchema, type DefinitionInput } from '../definition/schema.ts';
import { ReconError } from '../errors/recon-error.ts';
import { appendAuditEvent } from '../store/audit-log.ts';
import { canonicalJson, toJsonSafe } from '../store/canonical-json.ts';
import { sql } from '../store/sql.ts';
import type { ReadTx, Store, WriteTx } from '../store/store.ts';
import type { Identity } from './identity.ts';
import { requireAnyRole } from './roles.ts';

/** A stored definition version. */
export interface StoredDefinition {
  name: string;
  version: number;
  /** The definition as saved, JSON for JSON (floats included). */
  definition: DefinitionInput;
  sha256: string;
  savedBy: string;
  savedAt: string;
  comment: string | null;
}

/** The latest version of a saved definition, for lists. */
export interface DefinitionVersionInfo {
  name: string;
  version: number;
  savedAt: string;
  savedBy: string;
}

export interface SaveOptions {
  comment?: string;
  /** false: refuse a name that is saved already (default true: a new version). */
  overwrite?: boolean;
}

/** A definition file larger than this is not one (real ones are a few KB; 5,000 fields ≈ 500 KB). */
const MAX_IMPORT_BYTES = 8 * 1024 * 1024;

/** The hash that tells versions apart: over the canonical form, so key order and float spelling do not count. */
const definitionSha256 = (definition: DefinitionInput): string => createHash('sha256').update(canonicalJson(toJsonSafe(definition))).digest('hex');

/**
 * Saves a definition (validated by the caller, e.g. the contract's schema) as
 * a new version under its name, with a `definition.saved` audit event in the
 * same transaction. Analysts (who run recons from the new-run screen) and
 * admins may save. An unchanged definition is not saved again: its latest
 * version is returned.
 */
export function saveDefinition(store: Store, actor: Identity, definition: DefinitionInput, opts: SaveOptions = {}): StoredDefinition {
  if (!definition.name?.trim()) throw new ReconError('INVALID_ARGUMENT', 'a definition needs a name');
  return store.write((tx) => {
    requireAnyRole(tx, actor, ['analyst', 'admin'], 'save recon definitions');
    const latest = latestRow(tx, definition.name);
    if (latest && opts.overwrite === false) {
      throw new ReconError('INVALID_ARGUMENT', `a definition named "${definition.name}" already exists (version ${latest.version})`, { name: definition.name, version: latest.version });
    }
    return insertVersion(tx, actor.userId, definition, opts.comment ?? null);
  });
}

// One new version and its audit event; the latest one back when nothing changed.
function insertVersion(tx: WriteTx, actor: string, definition: DefinitionInput, comment: string | null): StoredDefinition {
  const sha256 = definitionSha256(definition);
  const latest = latestRow(tx, definition.name);
  if (latest && latest.sha256 === sha256) return toStored(latest);
  const version = (latest?.version ?? 0) + 1;
  // JSON.stringify keeps floats as the definition wrote them; the event carries the same text.
  const json = JSON.stringify(definition);
  tx.run(sql`INSERT INTO definitions (name, version, body, sha256, saved_by, saved_at, comment)
    VALUES (${definition.name}, ${version}, ${json}, ${sha256}, ${actor}, ${tx.now}, ${comment})`);
  appendAuditEvent(tx, {
    actor,
    action: 'definition.saved',
    target: `definition:${definition.name}`,
    before: latest ? { version: latest.version, sha256: latest.sha256 } : null,
    after: { version, sha256, json },
    comment,
  });
  return { name: definition.name, version, definition: JSON.parse(json) as DefinitionInput, sha256, savedBy: actor, savedAt: tx.now, comment };
}

interface Row {
  name: string;
  version: number;
  body: string;
  sha256: string;
  saved_by: string;
  saved_at: string;
  comment: string | null;
}

const latestRow = (tx: ReadTx, name: string): Row | undefined => tx.get<Row>(sql`SELECT * FROM definitions WHERE name = ${name} ORDER BY version DESC LIMIT 1`);

// Every stored body was a valid definition when it was saved (the save's caller or the pull validated it).
const toStored = (r: Row): StoredDefinition => ({
  name: r.name,
  version: r.version,
  definition: JSON.parse(r.body) as DefinitionInput,
  sha256: r.sha256,
  savedBy: r.saved_by,
  savedAt: r.saved_at,
  comment: r.comment,
});

/** A definition: the given version, else the latest; NOT_FOUND names the saved ones. */
export function getDefinition(store: Store, name: string, version?: number): StoredDefinition {
  const row = store.read((tx) =>
    version === undefined ? latestRow(tx, name) : tx.get<Row>(sql`SELECT * FROM definitions WHERE name = ${name} AND version = ${version}`),
  );
  if (row) return toStored(row);
  const what = version === undefined ? `no saved definition named "${name}"` : `no version ${version} of the definition "${name}"`;
  throw new ReconError('NOT_FOUND', what, { name, ...(version === undefined ? {} : { version }), saved: listDefinitions(store).map((d) => d.name) });
}

/** The latest version of each definition, by name. */
export function listDefinitions(store: Store): DefinitionVersionInfo[] {
  return store
    .read((tx) =>
      tx.all<{ name: string; version: number; saved_at: string; saved_by: string }>(
        sql`SELECT d.name, d.version, d.saved_at, d.saved_by FROM definitions d
             WHERE d.version = (SELECT max(version) FROM definitions x WHERE x.name = d.name) ORDER BY d.name`,
      ),
    )
    .map((r) => ({ name: r.name, version: r.version, savedAt: r.saved_at, savedBy: r.saved_by }));
}

/** A version another device saved, as the team server projected its `definition.saved` event. */
export interface PulledDefinition {
  device_id: string;
  seq: number;
  name: string;
  json: string;
  sha256: string;
  saved_by: string;
  saved_at: string;
  comment: string | null;
}

/**
 * Stores another device's version as the next local version of its name
 * (versions are numbered per workspace; the origin says where one came from).
 * No audit event: the pull brought the device's own event. Returns false when
 * there was nothing to store (seen before, unchanged, or not a definition).
 */
export function applyPulledDefinition(tx: WriteTx, d: PulledDefinition): boolean {
  if (tx.get(sql`SELECT 1 AS x FROM definitions WHERE origin_device = ${d.device_id} AND origin_seq = ${d.seq}`) !== undefined) return false;
  let json: unknown;
  try {
    json = JSON.parse(d.json);
  } catch {
    return false;
  }
  const parsed = definitionSchema.safeParse(json);
  if (!parsed.success || parsed.data.name !== d.name) return false;
  const definition = json as DefinitionInput;
  const sha256 = definitionSha256(definition);
  const latest = latestRow(tx, d.name);
  if (latest && latest.sha256 === sha256) return false;
  tx.run(sql`INSERT INTO definitions (name, version, body, sha256, saved_by, saved_at, comment, origin_device, origin_seq)
    VALUES (${d.name}, ${(latest?.version ?? 0) + 1}, ${d.json}, ${sha256}, ${d.saved_by}, ${d.saved_at}, ${d.comment}, ${d.device_id}, ${d.seq})`);
  return true;
}

/**
 * Imports the JSON files of `<workspace>/definitions/` (where the new-run
 * screen saved before definitions lived in the store), each file once, oldest
 * first, as versions saved by `actor` with the comment "imported from …". The
 * files stay. A file that is not a valid definition is recorded and skipped.
 * Runs when a host or the CLI opens the workspace, whoever opens it: it needs
 * no role and makes no one a user (as recording a run). Returns the names imported.
 */
export function importDefinitionFiles(store: Store, actor: Identity): string[] {
  const dir = join(store.dir, 'definitions');
  if (!existsSync(dir)) return [];
  const done = new Set(store.read((tx) => tx.all<{ file: string }>(sql`SELECT file FROM definition_imports`)).map((r) => r.file));
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.json') && !done.has(f))
    .map((file) => ({ file, stat: statSync(join(dir, file), { throwIfNoEntry: false }) }))
    .filter((f) => f.stat?.isFile() === true)
    .sort((x, y) => x.stat!.mtimeMs - y.stat!.mtimeMs || (x.file < y.file ? -1 : 1));
  if (files.length === 0) return [];
  const read = files.map(({ file, stat }) => {
    const text = stat!.size > MAX_IMPORT_BYTES ? '' : readFileSync(join(dir, file), 'utf8').replace(/^\uFEFF/, '');
    let definition: DefinitionInput | null = null;
    try {
      if (text !== '') definition = parseDefinitionText(text, join(dir, file));
    } catch {
      // Not a definition: recorded below, never retried.
    }
    return { file, sha256: createHash('sha256').update(text).digest('hex'), definition };
  });
  return store.write((tx) => {
    const imported: string[] = [];
    for (const f of read) {
      // Another process on the workspace may have imported it meanwhile.
      if (tx.get(sql`SELECT 1 AS x FROM definition_imports WHERE file = ${f.file}`) !== undefined) continue;
      const saved = f.definition ? insertVersion(tx, actor.userId, f.definition, `imported from definitions/${f.file}`) : null;
      tx.run(sql`INSERT INTO definition_imports (file, sha256, name, version, imported_at) VALUES (${f.file}, ${f.sha256}, ${saved?.name ?? null}, ${saved?.version ?? null}, ${tx.now})`);
      if (saved) imported.push(saved.name);
    }
    return imported;
  });
}
