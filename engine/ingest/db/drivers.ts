import { ReconError } from '../../errors/recon-error.ts';
import { DRIVER_NAMES, type DbDriver, type DriverName } from './driver.ts';

/**
 * The drivers by name, each loaded only when a source uses it (a file run
 * loads neither client library). A new database is one module and one line here.
 */
const DRIVERS: Record<DriverName, () => Promise<DbDriver>> = {
  postgres: async () => (await import('./postgres.ts')).postgresDriver,
  mysql: async () => (await import('./mysql.ts')).mysqlDriver,
};

/** Each driver's usual port, without loading it. */
export const DEFAULT_PORTS: Record<DriverName, number> = { postgres: 5432, mysql: 3306 };

export async function loadDriver(name: string): Promise<DbDriver> {
  if (!(DRIVER_NAMES as readonly string[]).includes(name)) {
    throw new ReconError('DEFINITION_INVALID', `unknown database driver "${name}"; use one of ${DRIVER_NAMES.join(', ')}`);
  }
  return DRIVERS[name as DriverName]();
}
