import { chmod, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Database } from '@portcullis/storage';
import { CliError } from './errors.ts';
import { loadServices } from './lazy.ts';

/** The client `dev` registers for the example API to introspect opaque tokens with. */
export const EXAMPLE_API_CLIENT_NAME = 'example-api';

// Beside dev-secrets.json, and as private: the secret is stored nowhere else in clear.
const CREDENTIALS_FILE = 'example-api-client.json';

/** The example API's introspection credentials, as {@link seedExampleApiClient} keeps them. */
export interface ExampleApiClient {
  clientId: string;
  clientSecret: string;
  /** An operator disabled it: the API answers opaque tokens with 503 until it is enabled. */
  disabled: boolean;
}

/**
 * Makes sure the example API can introspect the opaque tokens of `resource` (what `portcullis
 * tokens issue` gives), and returns the credentials it introspects with. The confidential client
 * `example-api` is registered on the first run and named among the resource's introspection
 * clients; its secret is kept in `<dataDir>/example-api-client.json` (mode 0600) for later runs.
 * A run whose file is missing, damaged or out of date (a rotated secret, another database) gives
 * the client a new secret and rewrites the file, so the API always starts with credentials that
 * work. The registration follows a changed API port with the resource it belongs to.
 *
 * @example
 * const { clientId, clientSecret } = await seedExampleApiClient(db, '.portcullis', 'http://localhost:4000');
 */
export async function seedExampleApiClient(
  db: Database,
  dataDir: string,
  resource: string,
): Promise<ExampleApiClient> {
  const { seedIntrospectionClient } = await loadServices();
  const file = path.join(dataDir, CREDENTIALS_FILE);
  const known = await readCredentials(file);
  const seeded = await seedIntrospectionClient(db, {
    name: EXAMPLE_API_CLIENT_NAME,
    resource,
    ...(known ? { known } : {}),
  });
  if (seeded.outcome === 'taken') {
    throw new CliError(
      `the example API's client name "${EXAMPLE_API_CLIENT_NAME}" is taken by the public client ${seeded.clientId}: rename it (\`portcullis clients update ${seeded.clientId} --name "another name"\`) and start dev again`,
    );
  }
  const { clientId, clientSecret, disabled } = seeded;
  if (seeded.outcome !== 'kept') {
    await writeFile(
      file,
      `${JSON.stringify({ client_id: clientId, client_secret: clientSecret }, null, 2)}\n`,
      {
        mode: 0o600,
      },
    );
    // writeFile's mode applies only to a new file.
    await chmod(file, 0o600);
  }
  return { clientId, clientSecret, disabled };
}

// What an earlier run kept; anything unreadable counts as nothing: a new secret replaces it.
async function readCredentials(
  file: string,
): Promise<{ clientId: string; clientSecret: string } | undefined> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch {
    return undefined;
  }
  const { client_id: clientId, client_secret: clientSecret } = (parsed ?? {}) as Record<
    string,
    unknown
  >;
  return typeof clientId === 'string' && typeof clientSecret === 'string'
    ? { clientId, clientSecret }
    : undefined;
}
