/**
 * A throwaway MariaDB server for tests, through the repo's scripts
 * (scripts/mariadb): a new data directory and mariadbd as the current user on a
 * free loopback port, with a database `recon_src` and a password login for it.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import mysql from 'mysql2/promise';

const run = promisify(execFile);
const SCRIPTS = fileURLToPath(new URL('../../../../scripts/mariadb/', import.meta.url));

/** What start-test-mariadb.sh prints. */
export interface TestMariaDbInfo {
  host: string;
  port: number;
  database: string;
  dir: string;
  socket: string;
  pid: number;
  user: string;
  password: string;
}

export interface TestMariaDb {
  info: TestMariaDbInfo;
  /** A client as the test login, on the test database (multiple statements allowed, for fixtures). */
  client(): Promise<mysql.Connection>;
  /** Kills the server at once (SIGKILL): a server lost mid-query. */
  kill(): void;
  /** Stops the server (if still running) and deletes its data. */
  destroy(): Promise<void>;
}

export async function startTestMariaDb(): Promise<TestMariaDb> {
  const { stdout } = await run('bash', [`${SCRIPTS}start-test-mariadb.sh`], { maxBuffer: 1 << 20 });
  const info = JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as TestMariaDbInfo;
  return {
    info,
    client: () => mysql.createConnection({ host: info.host, port: info.port, user: info.user, password: info.password, database: info.database, multipleStatements: true }),
    kill: () => {
      try {
        process.kill(info.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    },
    destroy: async () => {
      await run('bash', [`${SCRIPTS}stop-test-mariadb.sh`, info.dir]);
    },
  };
}
