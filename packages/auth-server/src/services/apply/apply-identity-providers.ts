import {
  createIdentityProvidersRepository,
  type Database,
  type IdentityProviderRecord,
} from '@portcullis/storage';
import { AuthServerError } from '../../errors.ts';
import {
  createIdentityProvidersService,
  decryptIdentityProviderSecret,
} from '../identity-providers/identity-providers-service.ts';
import {
  DEFAULT_SCOPE,
  GITHUB_ENDPOINTS,
  type IdentityProviderUpdate,
  validateScope,
} from '../identity-providers/provider-input.ts';
import type { DeclarationPath, DeclaredIdentityProvider } from './declaration.ts';

/** A provider's outcome, as the other entries': `client_secret` changes show no value. */
export interface IdentityProviderOutcome {
  name: string;
  action: 'create' | 'update' | 'unchanged' | 'delete' | 'not_in_file';
  changes: Array<{ field: string; before: unknown; after: unknown }>;
}

/** What reconciling the file's providers needs from the apply around it. */
export interface ProvidersReconcileContext {
  prune: boolean;
  change: { actor: string };
  /** The servers' key-encryption key: secrets are stored under it, compared after decrypting. */
  keyEncryptionKey: Buffer | undefined;
  /** Where `client_secret_env` names are read (the CLI's environment). */
  environment: Readonly<Record<string, string | undefined>>;
  /** A savepoint per entry: a failure is a problem at `path`, the others are still checked. */
  attempt: <T>(path: DeclarationPath, work: (db: Database) => Promise<T>) => Promise<T | undefined>;
}

// A provider's fields in the file's terms, for the diff (the secret apart: never shown).
const VIEW: ReadonlyArray<
  readonly [string, keyof IdentityProviderUpdate, (p: IdentityProviderRecord) => unknown]
> = [
  ['name', 'name', (p) => p.name],
  ['issuer', 'issuer', (p) => p.issuer],
  ['authorization_endpoint', 'authorizationEndpoint', (p) => p.authorizationEndpoint],
  ['token_endpoint', 'tokenEndpoint', (p) => p.tokenEndpoint],
  ['api_url', 'apiUrl', (p) => p.apiUrl],
  ['client_id', 'clientId', (p) => p.clientId],
  ['scope', 'scope', (p) => p.scope],
  ['jit', 'jit', (p) => p.jit],
];

// What the file asks for, `idps create`'s defaults filled in.
function wanted(declared: DeclaredIdentityProvider): IdentityProviderUpdate {
  const github = declared.kind === 'github';
  return {
    name: declared.name,
    ...(github ? {} : { issuer: declared.issuer }),
    ...(github
      ? {
          authorizationEndpoint:
            declared.authorizationEndpoint ?? GITHUB_ENDPOINTS.authorizationEndpoint,
          tokenEndpoint: declared.tokenEndpoint ?? GITHUB_ENDPOINTS.tokenEndpoint,
          apiUrl: declared.apiUrl ?? GITHUB_ENDPOINTS.apiUrl,
        }
      : {}),
    clientId: declared.clientId,
    scope: declared.scope ?? DEFAULT_SCOPE[declared.kind],
    jit: declared.jit,
  };
}

/**
 * Brings the registered identity providers to the file's `identity_providers`, through the
 * identity providers service (`idps create|update|delete`: the same validation and audit
 * events). Matched by name regardless of case. Each client secret comes from the environment
 * variable its entry names, never from the file; a registered secret is decrypted and compared,
 * so an unchanged one is not stored again (and `apply` stays idempotent). Providers absent from
 * the file are reported, or deleted with `prune` (their links with them; the users stay).
 *
 * @example
 * const outcomes = await reconcileIdentityProviders(trx, declaration.identityProviders, context);
 */
export async function reconcileIdentityProviders(
  trx: Database,
  declared: readonly DeclaredIdentityProvider[],
  context: ProvidersReconcileContext,
): Promise<IdentityProviderOutcome[]> {
  const registered = await createIdentityProvidersRepository(trx).list();
  const outcomes: IdentityProviderOutcome[] = [];
  const kek = context.keyEncryptionKey;
  for (const entry of declared) {
    const path = ['identity_providers', entry.index];
    const current = registered.find((p) => p.name.toLowerCase() === entry.name.toLowerCase());
    const outcome = await context.attempt([...path, 'client_secret_env'], async (db) => {
      const secret = context.environment[entry.clientSecretEnv];
      if (!secret) {
        throw new AuthServerError(
          'invalid_input',
          `the environment variable ${entry.clientSecretEnv} is not set: it holds the client secret`,
        );
      }
      if (!kek) {
        throw new AuthServerError(
          'invalid_input',
          "needs the servers' key-encryption key (PORTCULLIS_KEY_ENCRYPTION_KEY): the secret is stored under it",
        );
      }
      return { secret, service: createIdentityProvidersService(db, kek) };
    });
    if (!outcome) continue;
    const want = wanted(entry);
    if (!current) {
      const created = await context.attempt(path, (db) =>
        createIdentityProvidersService(db, kek as Buffer).create(
          {
            ...want,
            name: entry.name,
            clientId: entry.clientId,
            kind: entry.kind,
            clientSecret: outcome.secret,
          },
          context.change,
        ),
      );
      if (!created) continue;
      outcomes.push({
        name: created.name,
        action: 'create',
        changes: [
          { field: 'kind', before: null, after: created.kind },
          ...VIEW.map(([field, , of]) => ({
            field,
            before: null,
            after: of({ ...created, clientSecretEncrypted: '' }),
          })).filter((c) => c.after !== null),
          { field: 'client_secret', before: null, after: `(from ${entry.clientSecretEnv})` },
        ],
      });
      continue;
    }
    if (current.kind !== entry.kind) {
      await context.attempt([...path, 'kind'], async () => {
        throw new AuthServerError(
          'invalid_input',
          `is ${current.kind} for the registered provider "${current.name}": a kind never changes (delete the provider and declare it again)`,
        );
      });
      continue;
    }
    const update: IdentityProviderUpdate = {};
    const changes: IdentityProviderOutcome['changes'] = [];
    for (const [field, key, of] of VIEW) {
      const after = key === 'scope' ? normalScope(entry, want.scope) : want[key];
      if (after === undefined || after === of(current)) continue;
      Object.assign(update, { [key]: want[key] });
      changes.push({ field, before: of(current), after });
    }
    if (!sameSecret(current, outcome.secret, kek as Buffer)) {
      update.clientSecret = outcome.secret;
      changes.push({
        field: 'client_secret',
        before: '(hidden)',
        after: `(from ${entry.clientSecretEnv})`,
      });
    }
    if (changes.length > 0) {
      const done = await context.attempt(path, (db) =>
        createIdentityProvidersService(db, kek as Buffer).update(
          current.id,
          update,
          context.change,
        ),
      );
      if (!done) continue;
    }
    outcomes.push({
      name: entry.name,
      action: changes.length > 0 ? 'update' : 'unchanged',
      changes,
    });
  }
  const names = new Set(declared.map((p) => p.name.toLowerCase()));
  for (const provider of registered) {
    if (names.has(provider.name.toLowerCase())) continue;
    if (!context.prune) {
      outcomes.push({ name: provider.name, action: 'not_in_file', changes: [] });
      continue;
    }
    // Deleting needs no key: a random one stands in for the service's.
    const deleted = await context.attempt(['identity_providers'], (db) =>
      createIdentityProvidersService(db, kek ?? Buffer.alloc(32)).delete(
        provider.id,
        context.change,
      ),
    );
    if (deleted) outcomes.push({ name: provider.name, action: 'delete', changes: [] });
  }
  return outcomes;
}

// The scope as the service stores it (its words joined by one space), to compare.
function normalScope(entry: DeclaredIdentityProvider, scope: string | undefined) {
  if (scope === undefined) return undefined;
  try {
    return validateScope(entry.kind, scope);
  } catch {
    return scope;
  }
}

function sameSecret(current: IdentityProviderRecord, secret: string, kek: Buffer): boolean {
  try {
    return decryptIdentityProviderSecret(current.id, current.clientSecretEncrypted, kek) === secret;
  } catch {
    // Stored under another key: store it again under this one.
    return false;
  }
}
