import type { SeededResource } from '@portcullis/auth-server/services';
import type { Database } from '@portcullis/storage';
import { CliError } from './errors.ts';
import { loadServices } from './lazy.ts';

/** What {@link seedExampleResource} did. */
export type SeededExample = Omit<SeededResource, 'takenBy'>;

// What `dev` registers: the example API on a loopback port (`http://localhost:$PORTCULLIS_API_PORT`).
const DEV_IDENTIFIER = /^http:\/\/localhost:\d+$/;

/**
 * Registers the example API's resource under `identifier` (its URL for this run) unless it is
 * registered already, with the name and scopes of the example API's own catalogue: what
 * `portcullis resources apply --from packages/example-api/src/catalogue.ts` registers, so the
 * seed and the API cannot drift.
 *
 * When an earlier run registered it under another port (`PORTCULLIS_API_PORT` changed), the
 * registration follows the port, in one transaction (the services' `seedResource`): clients keep
 * working against the API on its new port; tokens issued for the old identifier were for an API
 * that no longer listens there. A resource of another kind holding the example's name is left
 * alone: the failure says what to run.
 *
 * @example
 * await seedExampleResource(db, 'http://localhost:4000'); // { seeded: true } the first time
 */
export async function seedExampleResource(
  db: Database,
  identifier: string,
): Promise<SeededExample> {
  const { seedResource } = await loadServices();
  // Loaded here so that other commands do not pay for the example API's modules.
  const { catalogue } = await import('@portcullis/example-api');
  const { name, scopes } = catalogue.toJSON().resources[0]!;
  const seed = await seedResource(db, { identifier, name, scopes }, (registered) =>
    DEV_IDENTIFIER.test(registered),
  );
  if (seed.takenBy !== undefined) {
    throw new CliError(
      `the example API's name "${name}" is taken by the resource ${seed.takenBy}: rename it (\`portcullis resources update ${seed.takenBy} --name "another name"\`) and start dev again`,
    );
  }
  return seed.moved ? { seeded: true, moved: seed.moved } : { seeded: seed.seeded };
}
