import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  createClientsRepository,
  createIdentityProvidersRepository,
  createKeysRepository,
  createRegistrationTokensRepository,
  createResourcesRepository,
  type Database,
  migrationStatus,
  type SigningKeyRecord,
} from '@portcullis/storage';
import type { DevSecrets } from '../config/server-config.ts';
import { parseKeyEncryptionKey } from '../keys/key-encryption.ts';
import { decryptSigningKey } from '../keys/signing-keys.ts';
import { usableClientKeys } from '../services/clients/client-keys.ts';
import { decryptIdentityProviderSecret } from '../services/identity-providers/identity-providers-service.ts';
import type {
  ClientFacts,
  DatabaseFacts,
  DoctorFacts,
  DoctorMode,
  IdentityProviderFacts,
  PublishedKeysFacts,
  ServerPolicyFacts,
  SigningKeyFacts,
} from './facts.ts';
import { probeServerPolicy } from './probe-server-policy.ts';
import { reachLogoutReceiver } from './reach-logout-receiver.ts';

/** What {@link loadDoctorFacts} reads. */
export interface LoadDoctorFactsOptions {
  db: Database;
  /** The environment the server would run with (`PORTCULLIS_*` is read). */
  env: Readonly<Record<string, string | undefined>>;
  mode: DoctorMode;
  /** The data folder whose development secrets `dev` uses. */
  dataDir: string;
  /** Asks the server's provider for its policy [probeServerPolicy]. */
  probe?: () => Promise<ServerPolicyFacts>;
  /** POSTs to a back-channel logout URI: undefined when it answered, else why not [reachLogoutReceiver]. */
  reach?: (uri: string) => Promise<string | undefined>;
  /**
   * Whether to reach the URLs clients registered (back-channel logout receivers, `jwks_uri` key
   * sets) from here [true]. The admin API passes false: there, a request to a URL that any
   * client registration names would be a server-side request forgery lever.
   */
  reachClients?: boolean;
}

/**
 * The development secrets `dev` keeps in the data folder (config/dev-secrets.ts names the file),
 * read without creating anything; undefined when there are none or the file is unreadable.
 */
async function readDevSecrets(dataDir: string): Promise<DevSecrets | undefined> {
  try {
    const parsed = JSON.parse(
      await readFile(path.join(dataDir, 'dev-secrets.json'), 'utf8'),
    ) as Partial<DevSecrets>;
    return Array.isArray(parsed.cookieKeys) && typeof parsed.keyEncryptionKey === 'string'
      ? { cookieKeys: parsed.cookieKeys, keyEncryptionKey: parsed.keyEncryptionKey }
      : undefined;
  } catch {
    return undefined;
  }
}

/** The key-encryption key the servers would use, if there is a valid one to try. */
function keyEncryptionKey(
  env: Readonly<Record<string, string | undefined>>,
  mode: DoctorMode,
  devSecrets: DevSecrets | undefined,
): Buffer | undefined {
  const value =
    env.PORTCULLIS_KEY_ENCRYPTION_KEY ||
    (mode === 'development' ? devSecrets?.keyEncryptionKey : undefined);
  try {
    return value ? parseKeyEncryptionKey(value) : undefined;
  } catch {
    return undefined;
  }
}

// What the URLs enabled clients registered answer, from here: each back-channel logout receiver
// (at most 2.5 s) and each private_key_jwt client's published key set (at most 5 s), side by side.
async function reachClientUrls(
  clients: ClientFacts[],
  reach: (uri: string) => Promise<string | undefined>,
): Promise<void> {
  await Promise.all(
    clients.map(async (facts) => {
      const uri = facts.client.backchannelLogoutUri;
      if (!uri || facts.client.disabledAt) return;
      const error = await reach(uri);
      facts.logoutReceiver = error === undefined ? {} : { error };
    }),
  );
  await Promise.all(
    clients.map(async (facts) => {
      const uri = facts.client.jwksUri;
      if (!uri || facts.client.disabledAt) return;
      facts.publishedKeys = await fetchPublishedKeys(uri);
    }),
  );
}

async function loadDatabase(
  db: Database,
  kek: Buffer | undefined,
  // Undefined: client-registered URLs are not reached.
  reach: ((uri: string) => Promise<string | undefined>) | undefined,
): Promise<DatabaseFacts> {
  const clientsRepository = createClientsRepository(db);
  const clients: ClientFacts[] = [];
  for (const client of await clientsRepository.list()) {
    const secrets = (await clientsRepository.secrets(client.id)).map(
      ({ secretHash: _, ...secret }) => secret,
    );
    clients.push({ client, secrets });
  }
  if (reach) await reachClientUrls(clients, reach);
  const keys = (await createKeysRepository(db).list()).map((record): SigningKeyFacts => {
    const { privateJwkEncrypted: _, publicJwk: __, ...key } = record;
    return { ...key, decrypts: kek ? decrypts(record, kek) : undefined };
  });
  const registrationTokens = (await createRegistrationTokensRepository(db).list()).map(
    ({ tokenHash: _, ...token }) => token,
  );
  const identityProviders = (await createIdentityProvidersRepository(db).list()).map(
    ({ clientSecretEncrypted, ...provider }): IdentityProviderFacts => ({
      ...provider,
      decrypts: kek
        ? opens(() => decryptIdentityProviderSecret(provider.id, clientSecretEncrypted, kek))
        : undefined,
    }),
  );
  return {
    clients,
    registrationTokens,
    identityProviders,
    resources: await createResourcesRepository(db).list(),
    keys,
  };
}

const JWKS_TIMEOUT_MS = 5000;

// A private_key_jwt client's published key set, fetched as the servers would (a GET, at most 5 s),
// reduced to how many of its keys they could use.
async function fetchPublishedKeys(uri: string): Promise<PublishedKeysFacts> {
  try {
    const response = await fetch(uri, {
      headers: { accept: 'application/json' },
      redirect: 'error',
      signal: AbortSignal.timeout(JWKS_TIMEOUT_MS),
    });
    if (response.status !== 200) return { error: `it answered ${response.status}` };
    return { usableKeys: usableClientKeys(await response.json()) };
  } catch (error) {
    const cause = (error as { cause?: { code?: unknown } }).cause?.code;
    const reason = error instanceof Error ? error.message : String(error);
    return { error: typeof cause === 'string' ? `${reason} (${cause})` : reason };
  }
}

function decrypts(key: SigningKeyRecord, kek: Buffer): boolean {
  return opens(() => decryptSigningKey(key, kek));
}

// Whether decrypting something stored under the key-encryption key works.
function opens(decrypt: () => unknown): boolean {
  try {
    decrypt();
    return true;
  } catch {
    return false;
  }
}

/**
 * Reads everything `portcullis doctor` judges, and changes nothing: the server configuration
 * from `env` (and the data folder's development secrets, never created here), the server's
 * protocol policy (see probeServerPolicy), the migration status, and — when the schema is
 * current — clients with their secrets' names and dates and (unless `reachClients` is false)
 * whether their back-channel logout URIs answer (a POST with no logout token) and their
 * `jwks_uri` key sets, resources, and signing keys (whether
 * the configured key-encryption key decrypts each; private parts are never kept).
 *
 * @example
 * const facts = await loadDoctorFacts({ db, env: process.env, mode: 'production', dataDir });
 * const findings = runChecks(facts);
 */
export async function loadDoctorFacts(options: LoadDoctorFactsOptions): Promise<DoctorFacts> {
  const { db, env, mode } = options;
  const devSecrets = await readDevSecrets(options.dataDir);
  const serverEnv = Object.fromEntries(
    Object.entries(env).filter(([name]) => name.startsWith('PORTCULLIS_')),
  );
  const policy = await (options.probe ?? probeServerPolicy)().catch((error: unknown) => ({
    error: error instanceof Error ? error.message : String(error),
  }));
  const migrations = await migrationStatus(db);
  const clock = await db.raw<{ rows: Array<{ now: Date }> }>('select now() as now');
  return {
    now: clock.rows[0]?.now ?? new Date(),
    configuration: { mode, env: serverEnv, devSecrets },
    policy,
    migrations,
    database:
      migrations.pending.length > 0
        ? undefined
        : await loadDatabase(
            db,
            keyEncryptionKey(env, mode, devSecrets),
            options.reachClients === false ? undefined : (options.reach ?? reachLogoutReceiver),
          ),
  };
}
