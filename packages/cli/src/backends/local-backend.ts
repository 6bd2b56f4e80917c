import type { Database } from '@portcullis/storage';
import { loadServices } from '../lazy.ts';
import { cliActor, type Io, withDatabase } from '../runtime.ts';

type Services = Awaited<ReturnType<typeof loadServices>>;

/**
 * What the local back ends share: `onDatabase` runs `work` with the services and a database
 * whose schema is current; `change` gives the options that name the CLI's actor in the audit
 * trail.
 *
 * @example
 * const { onDatabase, change } = localBackend(io);
 * await onDatabase((s, db) => s.createUsersService(db).disable('alice', change()));
 */
export function localBackend(io: Io) {
  return {
    async onDatabase<T>(work: (services: Services, db: Database) => Promise<T>): Promise<T> {
      const services = await loadServices();
      return withDatabase(io, (db) => work(services, db));
    },
    change: () => ({ actor: cliActor(io) }),
  };
}
