/**
 * The team's evidence-signing keys travel through sync (issue 17, item 9):
 * each workspace publishes the public half of its evidence-signing key
 * (report/keys.ts) to recon.evidence_keys, and pulls everyone's into
 * sync_team_keys. `recon evidence verify --workspace DIR` then trusts a pack
 * signed on any team workstation, and says who published the key; a pack
 * signed with a key nobody published stays "signer unknown".
 *
 * The server computes each key's fingerprint and records the publishing
 * login itself (server migration 013), so a key cannot be published under
 * someone else's name.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type pg from 'pg';
import { sql } from '../store/sql.ts';
import type { Store } from '../store/store.ts';
import { withClient } from './connection.ts';
import { getState, setState } from './local-state.ts';

/** A public key the team server lists. */
export interface TeamKey {
  fingerprint: string;
  publicPem: string;
  deviceId: string;
  publishedBy: string;
  publishedAt: string;
}

// The workspace's evidence public key, as report/keys.ts writes it when it makes the key.
const PUBLIC_KEY_FILE = join('keys', 'evidence-ed25519.pub');

/**
 * Publishes this workspace's evidence key once (again only if the key file
 * changes). A workspace that has never signed a pack has no key: nothing to do.
 * Returns true when it published.
 */
export async function publishEvidenceKey(store: Store, pool: pg.Pool): Promise<boolean> {
  let pem: string;
  try {
    pem = await readFile(join(store.dir, PUBLIC_KEY_FILE), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
  const published = store.read((tx) => getState<string>(tx, 'teamKeys.publishedPem'));
  if (published === pem) return false;
  await withClient(pool, (c) =>
    c.query('INSERT INTO recon.evidence_keys (fingerprint, public_pem, device_id) VALUES ($1, $2, $3) ON CONFLICT (fingerprint) DO NOTHING', ['', pem, store.deviceId]),
  );
  store.write((tx) => setState(tx, 'teamKeys.publishedPem', pem));
  return true;
}

/** Mirrors the server's list of team keys (a small table: read whole each pull). Returns the keys new here. */
export async function pullTeamKeys(store: Store, client: pg.ClientBase): Promise<number> {
  const rows = await client.query<{ fingerprint: string; public_pem: string; device_id: string; published_by: string; published_at: Date }>(
    'SELECT fingerprint, public_pem, device_id, published_by, published_at FROM recon.evidence_keys ORDER BY published_at, fingerprint',
  );
  return store.write((tx) => {
    let added = 0;
    for (const r of rows.rows) {
      added += tx.run(sql`INSERT INTO sync_team_keys (fingerprint, public_pem, device_id, published_by, published_at)
        VALUES (${r.fingerprint}, ${r.public_pem}, ${r.device_id}, ${r.published_by}, ${r.published_at.toISOString()}) ON CONFLICT DO NOTHING`).changes;
    }
    return added;
  });
}

/** The team keys pulled into a workspace, oldest first. */
export function teamKeys(store: Store): TeamKey[] {
  return store.read((tx) =>
    tx.all<TeamKey>(sql`SELECT fingerprint, public_pem AS publicPem, device_id AS deviceId, published_by AS publishedBy, published_at AS publishedAt
      FROM sync_team_keys ORDER BY published_at, fingerprint`),
  );
}
