/** Recon definitions in the store, versioned: every save is a new version (admin, audited). */
import { createHash } from 'node:crypto';
import { ReconError } from '../errors/recon-error.ts';
import { appendAuditEvent } from '../store/audit-log.ts';
import { canonicalJson, toJsonSafe } from '../store/canonical-json.ts';
import { sql } from '../store/sql.ts';
import type { Store } from '../store/store.ts';
import type { Identity } from './identity.ts';
import { requireRole } from './roles.ts';

/** A stored definition version. */
export interface StoredDefinition {
  name: string;
  version: number;
  /** The definition as saved (floats became decimal strings: parse it with the definition schema's coercion). */
  body: unknown;
  sha256: string;
  savedBy: string;
  savedAt: string;
  comment: string | null;
}

/**
 * Saves a new version of a definition (validate it with the definition schema
 * first). An unchanged body is not saved again: the latest version is returned.
 */
export function saveDefinition(store: Store, actor: Identity, definition: { name: string } & Record<string, unknown>, comment?: string): StoredDefinition {
  if (!definition.name?.trim()) throw new ReconError('INVALID_ARGUMENT', 'a definition needs a name');
  const body = canonicalJson(toJsonSafe(definition));
  const sha256 = createHash('sha256').update(body).digest('hex');
  return store.write((tx) => {
    requireRole(tx, actor, 'admin', 'save recon definitions');
    const latest = tx.get<{ version: number; sha256: string }>(sql`SELECT version, sha256 FROM definitions WHERE name = ${definition.name} ORDER BY version DESC LIMIT 1`);
    if (latest && latest.sha256 === sha256) return getVersion(store, definition.name, latest.version);
    const version = (latest?.version ?? 0) + 1;
    tx.run(sql`INSERT INTO definitions (name, version, body, sha256, saved_by, saved_at, comment)
      VALUES (${definition.name}, ${version}, ${body}, ${sha256}, ${actor.userId}, ${tx.now}, ${comment ?? null})`);
    appendAuditEvent(tx, {
      actor: actor.userId,
      action: 'definition.saved',
      target: `definition:${definition.name}`,
      before: latest ? { version: latest.version, sha256: latest.sha256 } : null,
      after: { version, sha256, body: JSON.parse(body) as ReturnType<typeof toJsonSafe> },
      comment: comment ?? null,
    });
    return { name: definition.name, version, body: JSON.parse(body), sha256, savedBy: actor.userId, savedAt: tx.now, comment: comment ?? null };
  });
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

const toStored = (r: Row): StoredDefinition => ({ name: r.name, version: r.version, body: JSON.parse(r.body), sha256: r.sha256, savedBy: r.saved_by, savedAt: r.saved_at, comment: r.comment });

function getVersion(store: Store, name: string, version: number): StoredDefinition {
  const row = store.read((tx) => tx.get<Row>(sql`SELECT * FROM definitions WHERE name = ${name} AND version = ${version}`));
  if (!row) throw new ReconError('NOT_FOUND', `no definition ${name} version ${version}`);
  return toStored(row);
}

/** A definition: the given version, else the latest. */
export function getDefinition(store: Store, name: string, version?: number): StoredDefinition {
  if (version !== undefined) return getVersion(store, name, version);
  const row = store.read((tx) => tx.get<Row>(sql`SELECT * FROM definitions WHERE name = ${name} ORDER BY version DESC LIMIT 1`));
  if (!row) throw new ReconError('NOT_FOUND', `no definition named ${name}`);
  return toStored(row);
}

/** The latest version of each definition. */
export function listDefinitions(store: Store): { name: string; version: number; savedAt: string; savedBy: string }[] {
  return store.read((tx) =>
    tx.all<{ name: string; version: number; saved_at: string; saved_by: string }>(
      sql`SELECT name, max(version) AS version, saved_at, saved_by FROM definitions GROUP BY name ORDER BY name`,
    ),
  ).map((r) => ({ name: r.name, version: r.version, savedAt: r.saved_at, savedBy: r.saved_by }));
}
