/**
 * Team sync end to end, in Debian's Chromium: two workspaces (two
 * workstations), each served by its own `recon serve` process, and one real
 * PostgreSQL (scripts/pg). Alice, the maker, proposes a bulk accept over the
 * threshold while not yet connected (the badge shows the queue), configures
 * the team connection in Settings and enters the password, which goes to the
 * OS keychain (a real Secret Service under scripts/keyring/with-secret-
 * service.sh, as `npm run test:e2e` runs it); the badge turns online and
 * synced. Bob, the approver on the other workstation, sees the proposal in
 * Approvals marked as from another device and synced, approves it; Alice's
 * workspace then shows it approved. Team roles come from the server.
 *
 * Outside the keychain wrapper the maker's process gets PGPASSWORD instead,
 * and the test checks that the password form refuses clearly to store a
 * password without a keychain.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateExtracts, type GenerateResult } from '../engine/generate/generate-extracts.ts';
import { grantServerRoles, startTestPg, type TestPg } from '../engine/sync/testing/pg-server.ts';
import { fillNewRun, pickFacet, runAndWait, settledCount } from './flows.ts';
import { buildRenderer, collectPageErrors, launchChromium, serve, type Served } from './harness.ts';
import { approveProposalBy, openSection, setUpUsers } from './review-flows.ts';
import { configureTeam, enterTeamPassword, syncBadge, waitForBadge, type TeamConnectionInput } from './sync-flows.ts';

/** Inside scripts/keyring/with-secret-service.sh: a real, throwaway Secret Service answers. */
const KEYCHAIN = process.env['RECON_SECRET_SERVICE'] === '1';

let dir: string;
let gen: GenerateResult;
let pg: TestPg;
let team: TeamConnectionInput;
let asAlice: Served;
let asBob: Served | undefined;
let browser: Browser;
let alice: Page;
let bob: Page;
const errors: string[][] = [];
let proposed = 0;

beforeAll(async () => {
  buildRenderer();
  dir = await mkdtemp(join(tmpdir(), 'recon-e2e-sync-'));
  pg = await startTestPg();
  // The team's roles live on the server (an administrator grants them there); workstations mirror them.
  await grantServerRoles(pg, { alice: ['analyst'], bob: ['approver'] });
  // One PostgreSQL login per person (grantServerRoles creates and binds them): the server counts
  // a person's act only over their own login. Each workstation connects as its person's.
  team = { host: pg.info.host, port: pg.info.port, database: pg.info.database, user: 'alice', tls: 'disable' };
  gen = await generateExtracts({ rows: 3000, outDir: join(dir, 'data'), seed: 21 });
  // With a keychain, the maker's password comes only from the form; without one, from PGPASSWORD.
  asAlice = await serve(join(dir, 'alice-workstation'), { RECON_USER: 'alice', RECON_USER_NAME: 'Alice Analyst', PGPASSWORD: KEYCHAIN ? '' : pg.info.sync.password });
  browser = await launchChromium();
  alice = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
  errors.push(collectPageErrors(alice));
  await alice.goto(asAlice.url);
  await alice.getByRole('heading', { name: 'Runs' }).waitFor();
});

afterAll(async () => {
  await browser?.close();
  await asAlice?.stop();
  await asBob?.stop();
  await pg?.destroy();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('team sync between two workstations in a browser', () => {
  it('shows the badge as not configured, with the local queue', async () => {
    await setUpUsers(alice, 'alice', ['analyst'], []);
    await alice.getByLabel('Bulk-proposal threshold').fill('2');
    await alice.getByRole('button', { name: 'Save', exact: true }).click();
    await alice.getByText('more than 2 breaks').waitFor();
    const label = await waitForBadge(alice, /Not configured · \d+ queued/);
    expect(Number(label.match(/(\d+) queued/)![1])).toBeGreaterThan(0);
    await alice.getByText('Not connected yet').waitFor();
  });

  it('makes a proposal offline: a bulk accept over the threshold; the queue grows', async () => {
    const before = Number((await waitForBadge(alice, /queued/)).match(/(\d+) queued/)![1]);
    await openSection(alice, 'Runs');
    await fillNewRun(alice, { aPath: gen.aPath, bPath: gen.bPath, name: 'Trades vs custodian (sync e2e)', tolerances: { Price: { abs: '0.00001' }, Notional: { abs: '0.005', rel: '0.0001' } } });
    await runAndWait(alice);
    await alice.getByRole('button', { name: 'Open run' }).click();
    await alice.keyboard.press('b');
    await alice.locator('.ag-row[row-index="0"] .ag-cell[col-id="key"]').waitFor();
    await pickFacet(alice, 'Status', 'AUTO');
    await settledCount(alice);
    await alice.locator('.ag-row[row-index="0"] .ag-cell[col-id="key"]').click();
    await alice.keyboard.press('Enter');
    const bulk = alice.getByLabel('Apply to similar breaks');
    const accept = bulk.getByRole('button', { name: /^Accept all \d/ });
    await accept.waitFor();
    proposed = Number(((await accept.textContent()) ?? '').replace(/\D/g, ''));
    expect(proposed).toBeGreaterThan(2);
    await accept.click();
    await bulk.getByText('this becomes one proposal that needs an approver').waitFor();
    await bulk.getByLabel('Comment').fill('Same pattern across the book: custodian statement checked');
    await bulk.getByRole('button', { name: /^Accept \d/ }).click();
    await bulk.locator('.notice.ok', { hasText: 'proposed' }).waitFor();
    // Every change is an audit event in the outbox: the badge counts it at once.
    await waitForBadge(alice, new RegExp(`Not configured · (?!${before} )\\d+ queued`));
  });

  it('configures the team connection; the password goes to the OS keychain; the badge shows the queue, then online and synced', async () => {
    const queued = Number((await waitForBadge(alice, /queued/)).match(/(\d+) queued/)![1]);
    await configureTeam(alice, team);
    const keychain = alice.getByLabel('Keychain status');
    if (KEYCHAIN) {
      // No password yet: the server refuses the login, the queue waits.
      // (Saving the connection is itself an audited setting change: one more event.)
      const offline = await waitForBadge(alice, /Offline · \d+ queued/);
      expect(Number(offline.match(/(\d+) queued/)![1])).toBeGreaterThan(queued);
      await alice.getByLabel('Sync status').getByText('SYNC_NO_PASSWORD').waitFor();
      await keychain.getByText('No password stored', { exact: true }).waitFor();
      await enterTeamPassword(alice, pg.info.sync.password);
      await keychain.getByText('Password in keychain', { exact: true }).waitFor();
      expect(await alice.getByRole('form', { name: 'Store the team password' }).getByLabel('Team password').inputValue()).toBe('');
    } else {
      await keychain.waitFor();
      // Never the developer's own keychain: only where none answers is the refusal checked.
      if (await keychain.getByText('No keychain', { exact: true }).isVisible()) {
        await enterTeamPassword(alice, pg.info.sync.password);
        const alert = alice.getByRole('alert');
        await alert.getByText('SYNC_KEYCHAIN_UNAVAILABLE').waitFor();
        expect(await alert.textContent()).toContain('no OS keychain is available, so the password was not stored (and is never written to disk)');
      }
    }
    await waitForBadge(alice, /Online · synced/);
    await alice.getByLabel('Sync status').getByText('0 events waiting').waitFor();
    // The password is in the keychain (or the environment), never in the workspace.
    for (const file of await filesUnder(join(dir, 'alice-workstation'))) expect((await readFile(file)).includes(pg.info.sync.password), file).toBe(false);
    await openSection(alice, 'Approvals');
    const mine = alice.getByRole('article', { name: 'Proposal by alice' });
    await mine.getByLabel('Sync: synced').waitFor();
  });

  it("lists the proposal on the approver's workstation as from another device, synced, with its evidence; he approves it", async () => {
    asBob = await serve(join(dir, 'bob-workstation'), { RECON_USER: 'bob', RECON_USER_NAME: 'Bob Approver', PGPASSWORD: pg.info.sync.password });
    bob = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
    errors.push(collectPageErrors(bob));
    await bob.goto(asBob.url);
    await setUpUsers(bob, 'bob', ['approver'], []);
    await configureTeam(bob, { ...team, user: 'bob' });
    await waitForBadge(bob, /Online · synced/);
    // Alice comes down from the server with her team role.
    await bob.getByLabel('alice analyst').waitFor();
    await openSection(bob, 'Approvals');
    const card = bob.getByRole('article', { name: 'Proposal by alice' });
    await card.waitFor();
    await card.getByText('from another device').waitFor();
    await card.getByLabel('Sync: synced').waitFor();
    expect(await card.textContent()).toContain('Same pattern across the book');
    expect(await card.getByRole('table', { name: 'Evidence' }).locator('tbody tr').count()).toBeGreaterThan(0);
    expect(await card.textContent()).toContain(`${proposed.toLocaleString('en-US')} breaks`);
    await approveProposalBy(bob, 'alice', 'Checked on the custodian statement');
    await bob.getByText('Nothing waiting for you.').waitFor();
    // Pushed soon after the approval; the server's verdict comes back with the same cycle.
    const settled = bob.getByRole('row', { name: 'Proposal by alice, approved by bob' });
    await settled.getByLabel('Verdict sync: synced').waitFor({ timeout: 60_000 });
    await waitForBadge(bob, /Online · synced/);
  });

  it("shows it approved on the maker's workstation after a sync", async () => {
    // The badge syncs now when clicked (otherwise the next regular cycle brings it).
    await syncBadge(alice).click();
    const settled = alice.getByRole('row', { name: 'Proposal by alice, approved by bob' });
    await settled.waitFor({ timeout: 60_000 });
    expect(await settled.textContent()).toContain('Checked on the custodian statement');
    await settled.getByLabel('Verdict sync: synced').waitFor();
    await alice.getByText('You have no proposals waiting.').waitFor();
    await waitForBadge(alice, /Online · synced/);
  });

  it('logged no console error or CSP violation in either browser', () => {
    expect(errors.flat()).toEqual([]);
  });
});

async function filesUnder(d: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(d, { withFileTypes: true })) {
    const p = join(d, e.name);
    if (e.isDirectory()) out.push(...(await filesUnder(p)));
    else out.push(p);
  }
  return out;
}
