/**
 * A throwaway OpenLDAP directory (Debian's slapd) for the team-login tests,
 * through the repo's scripts (scripts/ldap), as pg-server.ts wraps
 * scripts/pg: installs slapd and ldap-utils when missing, starts a directory
 * on a free loopback port with ou=people (carol, dave), and changes a
 * person's password as a directory administrator would (ldappasswd).
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const SCRIPTS = fileURLToPath(new URL('../../../scripts/ldap/', import.meta.url));

/** A person in the directory: binds as `dn` with `password`. */
export interface TestLdapUser {
  uid: string;
  dn: string;
  password: string;
}

/** What start-test-slapd.sh prints. */
export interface TestLdapInfo {
  host: string;
  port: number;
  url: string;
  dir: string;
  baseDn: string;
  /** Where people are: uid=<uid>,<peopleDn>. */
  peopleDn: string;
  /** The directory's root DN (may change anyone's password). */
  admin: { dn: string; password: string };
  users: TestLdapUser[];
}

/** A running test directory. */
export interface TestLdap {
  info: TestLdapInfo;
  /** The user `uid` as the directory was started with (throws when there is none). */
  user(uid: string): TestLdapUser;
  /** Sets a person's password in the directory, as its administrator (ldappasswd). */
  setPassword(uid: string, password: string): Promise<void>;
  /** Whether `uid` can bind with `password` (ldapwhoami): what PostgreSQL's simple bind asks the directory. */
  canBind(uid: string, password: string): Promise<boolean>;
  /**
   * The pg_hba.conf options that send a login to this directory in simple
   * bind mode: PostgreSQL binds as uid=<login>,<peopleDn> with the password
   * the client sent.
   */
  hbaOptions(): string;
  /** Stops slapd and deletes its data. */
  destroy(): Promise<void>;
}

/** Starts a test directory. */
export async function startTestLdap(): Promise<TestLdap> {
  const { stdout } = await run('bash', [`${SCRIPTS}start-test-slapd.sh`], { maxBuffer: 1 << 20 });
  const line = stdout.trim().split('\n').at(-1) ?? '';
  const info = JSON.parse(line) as TestLdapInfo;
  const dnOf = (uid: string): string => `uid=${uid},${info.peopleDn}`;
  return {
    info,
    user: (uid) => {
      const u = info.users.find((x) => x.uid === uid);
      if (!u) throw new Error(`no user ${uid} in the test directory`);
      return u;
    },
    setPassword: async (uid, password) => {
      // -s takes the new password on the command line: acceptable for a throwaway test directory.
      await run('ldappasswd', ['-x', '-H', info.url, '-D', info.admin.dn, '-w', info.admin.password, '-s', password, dnOf(uid)]);
      const u = info.users.find((x) => x.uid === uid);
      if (u) u.password = password;
    },
    canBind: async (uid, password) =>
      run('ldapwhoami', ['-x', '-H', info.url, '-D', dnOf(uid), '-w', password]).then(
        () => true,
        () => false,
      ),
    hbaOptions: () => `ldapserver=${info.host} ldapport=${info.port} ldapprefix="uid=" ldapsuffix=",${info.peopleDn}"`,
    destroy: async () => {
      await run('bash', [`${SCRIPTS}stop-test-slapd.sh`, info.dir]);
    },
  };
}
