import { randomBytes } from 'node:crypto';
import {
  createAuditRepository,
  createIdentityProvidersRepository,
  createUsersRepository,
  type Database,
  type IdentityProviderChanges,
  type IdentityProviderRecord,
  type NewAuditEvent,
} from '@portcullis/storage';
import { asUsername } from '../../domain/users.ts';
import { AuthServerError } from '../../errors.ts';
import { decryptPrivateKey, encryptPrivateKey } from '../../keys/key-encryption.ts';
import { NO_PASSWORD } from '../../secrets/password.ts';
import { actorOf, type ChangeOptions } from '../change-options.ts';
import { fromStorage } from '../from-storage.ts';
import { newId } from '../new-id.ts';
import type { PublicUser } from '../users-service.ts';
import {
  DEFAULT_SCOPE,
  GITHUB_ENDPOINTS,
  type IdentityProviderInput,
  type IdentityProviderUpdate,
  validateCredential,
  validateKind,
  validateProviderName,
  validateProviderUrl,
  validateScope,
} from './provider-input.ts';
import { UpstreamError } from './upstream-error.ts';

/** A provider as everything outside storage sees one: never with its client secret. */
export type PublicIdentityProvider = Omit<IdentityProviderRecord, 'clientSecretEncrypted'>;

/** A provider with its client secret decrypted, for the upstream leg of a sign-in only. */
export type UpstreamProvider = PublicIdentityProvider & { clientSecret: string };

/** What the upstream provider said about its user, as the sign-in uses it. */
export interface UpstreamAccount {
  /** The upstream's stable subject: an ID token's `sub`, GitHub's numeric user id. */
  sub: string;
  /** Set only when the provider said it is verified. */
  verifiedEmail?: string;
  /** A username to start from when creating a user: preferred_username, GitHub's login. */
  username?: string;
  name?: string;
}

/** Where a sign-in through a provider happened, for the audit trail. */
export interface SignInContext {
  address: string;
  clientId?: string;
}

const toPublic = ({ clientSecretEncrypted: _, ...provider }: IdentityProviderRecord) => provider;
const toPublicUser = ({ passwordHash: _, ...user }: { passwordHash: string } & PublicUser) => user;

// The secret is bound to its provider's id: a ciphertext copied to another row does not decrypt.
const secretContext = (id: string) => `identity-provider:${id}`;

/**
 * The client secret of provider `id` from its stored form; throws when `kek` is not the key it
 * was stored under (or the row is not the one it was stored in).
 *
 * @example
 * const secret = decryptIdentityProviderSecret(record.id, record.clientSecretEncrypted, kek);
 */
export function decryptIdentityProviderSecret(id: string, encrypted: string, kek: Buffer): string {
  return decryptPrivateKey(encrypted, kek, secretContext(id));
}

/**
 * Other identity providers users sign in with ("Sign in with Acme SSO"): the operator's
 * `idps create|list|show|update|delete`, and the links and just-in-time users a sign-in makes.
 * Client secrets are encrypted under the key-encryption key `kek` (AES-256-GCM, bound to the
 * provider's id). Each change is one transaction with its audit event.
 *
 * @example
 * const idps = createIdentityProvidersService(db, kek);
 * await idps.create({ name: 'Acme SSO', issuer, clientId, clientSecret }, { actor: 'cli:bob' });
 */
export function createIdentityProvidersService(db: Database, kek: Buffer) {
  const providers = createIdentityProvidersRepository(db);

  const record = (trx: Database, event: NewAuditEvent) => createAuditRepository(trx).record(event);

  const mustFind = async (idOrName: string): Promise<IdentityProviderRecord> => {
    const found = await providers.find(idOrName);
    if (!found) {
      throw new AuthServerError('not_found', `no identity provider with id or name "${idOrName}"`);
    }
    return found;
  };

  // Fields an operator may set, validated for the provider's kind; a secret is encrypted.
  const changesOf = (
    id: string,
    kind: IdentityProviderRecord['kind'],
    input: IdentityProviderUpdate,
  ): IdentityProviderChanges => {
    if (kind === 'oidc') {
      const endpoint = (['authorizationEndpoint', 'tokenEndpoint', 'apiUrl'] as const).find(
        (key) => input[key] !== undefined,
      );
      if (endpoint) {
        throw new AuthServerError(
          'invalid_input',
          'is for GitHub providers only: an OpenID Connect provider is discovered from its issuer',
          { field: endpoint, predicate: true },
        );
      }
    } else if (input.issuer !== undefined) {
      throw new AuthServerError('invalid_input', 'is for OpenID Connect providers only', {
        field: 'issuer',
        predicate: true,
      });
    }
    const url = (what: string, value: string | undefined) =>
      value === undefined ? undefined : validateProviderUrl(what, value);
    return {
      name: input.name === undefined ? undefined : validateProviderName(input.name),
      issuer: url('issuer', input.issuer),
      authorizationEndpoint: url('authorization endpoint', input.authorizationEndpoint),
      tokenEndpoint: url('token endpoint', input.tokenEndpoint),
      apiUrl: url('API URL', input.apiUrl),
      clientId:
        input.clientId === undefined ? undefined : validateCredential('clientId', input.clientId),
      clientSecretEncrypted:
        input.clientSecret === undefined
          ? undefined
          : encryptPrivateKey(
              validateCredential('clientSecret', input.clientSecret),
              kek,
              secretContext(id),
            ),
      scope: input.scope === undefined ? undefined : validateScope(kind, input.scope),
      jit: input.jit,
    };
  };

  // What an audit event says of a change: the names of the fields, never the secret.
  const changedFields = (changes: IdentityProviderChanges) =>
    Object.entries(changes)
      .filter(([, value]) => value !== undefined)
      .map(([key]) => (key === 'clientSecretEncrypted' ? 'clientSecret' : key));

  return {
    /** Registers a provider; its client secret is stored only encrypted. */
    async create(
      input: IdentityProviderInput,
      options: ChangeOptions = {},
    ): Promise<PublicIdentityProvider> {
      const kind = validateKind(input.kind ?? 'oidc');
      if (kind === 'oidc' && input.issuer === undefined) {
        throw new AuthServerError('invalid_input', 'is required for an OpenID Connect provider', {
          field: 'issuer',
          predicate: true,
        });
      }
      const id = newId();
      const changes = changesOf(id, kind, {
        ...(kind === 'github' ? GITHUB_ENDPOINTS : {}),
        scope: DEFAULT_SCOPE[kind],
        jit: false,
        ...Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined)),
      });
      try {
        return await db.transaction(async (trx) => {
          const created = await createIdentityProvidersRepository(trx).create({
            id,
            kind,
            name: changes.name as string,
            issuer: changes.issuer ?? null,
            authorizationEndpoint: changes.authorizationEndpoint ?? null,
            tokenEndpoint: changes.tokenEndpoint ?? null,
            apiUrl: changes.apiUrl ?? null,
            clientId: changes.clientId as string,
            clientSecretEncrypted: changes.clientSecretEncrypted as string,
            scope: changes.scope as string,
            jit: changes.jit ?? false,
          });
          await record(trx, {
            type: 'idp.created',
            actor: actorOf(options),
            details: { idp: created.id, name: created.name, kind, jit: created.jit },
          });
          return toPublic(created);
        });
      } catch (error) {
        throw fromStorage(error, { field: 'name' });
      }
    },

    /** Every provider, by name. */
    async list(): Promise<PublicIdentityProvider[]> {
      return (await providers.list()).map(toPublic);
    },

    /** The provider with this id or name (any case), with how many users are linked to it. */
    async show(idOrName: string): Promise<PublicIdentityProvider & { links: number }> {
      const provider = await mustFind(idOrName);
      return { ...toPublic(provider), links: await providers.countLinks(provider.id) };
    },

    /** Changes what `changes` names; a new secret replaces the old one. */
    async update(
      idOrName: string,
      changes: IdentityProviderUpdate,
      options: ChangeOptions = {},
    ): Promise<PublicIdentityProvider> {
      const provider = await mustFind(idOrName);
      const validated = changesOf(provider.id, provider.kind, changes);
      const fields = changedFields(validated);
      if (fields.length === 0) {
        throw new AuthServerError('invalid_input', 'nothing to change: name at least one option');
      }
      try {
        return await db.transaction(async (trx) => {
          const updated = await createIdentityProvidersRepository(trx).update(
            provider.id,
            validated,
          );
          if (!updated)
            throw new AuthServerError('not_found', `identity provider "${idOrName}" is gone`);
          await record(trx, {
            type: 'idp.updated',
            actor: actorOf(options),
            details: { idp: updated.id, name: updated.name, changed: fields },
          });
          return toPublic(updated);
        });
      } catch (error) {
        throw fromStorage(error, { field: 'name' });
      }
    },

    /** Deletes the provider and its links (the linked users stay, with their passwords). */
    async delete(idOrName: string, options: ChangeOptions = {}): Promise<PublicIdentityProvider> {
      const provider = await mustFind(idOrName);
      return db.transaction(async (trx) => {
        const repository = createIdentityProvidersRepository(trx);
        const links = await repository.countLinks(provider.id);
        await repository.delete(provider.id);
        await record(trx, {
          type: 'idp.deleted',
          actor: actorOf(options),
          details: { idp: provider.id, name: provider.name, links_removed: links },
        });
        return toPublic(provider);
      });
    },

    /**
     * The provider (by id) with its decrypted client secret; undefined when there is none. A
     * secret that does not decrypt (another key-encryption key) is `provider_unusable`.
     */
    async upstream(id: string): Promise<UpstreamProvider | undefined> {
      const provider = await providers.find(id);
      if (!provider || provider.id !== id) return undefined;
      let clientSecret: string;
      try {
        clientSecret = decryptIdentityProviderSecret(id, provider.clientSecretEncrypted, kek);
      } catch (error) {
        throw new UpstreamError(
          'provider_unusable',
          `cannot decrypt the client secret of identity provider ${id}: PORTCULLIS_KEY_ENCRYPTION_KEY is not the key it was stored with (set it again with idps update --client-secret-stdin)`,
          provider.name,
          { cause: error },
        );
      }
      return { ...toPublic(provider), clientSecret };
    },

    /** The enabled user linked to this upstream account; undefined when none is. */
    async linkedUser(providerId: string, sub: string): Promise<PublicUser | undefined> {
      const link = await providers.findLink(providerId, sub);
      const user = link ? await createUsersRepository(db).findById(link.userId) : undefined;
      return user ? toPublicUser(user) : undefined;
    },

    /**
     * The one enabled user whose e-mail is `email` (any case) and who has no account of this
     * provider linked yet: a candidate to link after they confirm their password. None when
     * several users share the address (which one would be a guess).
     */
    async linkCandidate(providerId: string, email: string): Promise<PublicUser | undefined> {
      const ids = await providers.unlinkedUsersWithEmail(providerId, email);
      if (ids.length !== 1) return undefined;
      const user = await createUsersRepository(db).findById(ids[0] as string);
      return user && !user.disabledAt ? toPublicUser(user) : undefined;
    },

    /** Links the upstream account to the user, with `idp.linked` by the user. */
    async link(
      provider: PublicIdentityProvider,
      account: UpstreamAccount,
      user: PublicUser,
      context: SignInContext & { by: 'password' },
    ): Promise<void> {
      await db.transaction(async (trx) => {
        await linkIn(trx, provider, account, user, context);
      });
    },

    /**
     * Creates a user for an unknown upstream account (just-in-time), linked to it: a username from
     * the upstream (made unique), its verified e-mail, and no password (they sign in through the
     * provider, or get one by a password reset or from an operator). `user.created` and `idp.linked`.
     */
    async createLinkedUser(
      provider: PublicIdentityProvider,
      account: UpstreamAccount,
      context: SignInContext,
    ): Promise<PublicUser> {
      const passwordHash = NO_PASSWORD;
      return db.transaction(async (trx) => {
        const users = createUsersRepository(trx);
        const username = await freeUsername(users, account);
        const created = await users.create({
          id: newId(),
          username,
          passwordHash,
          email: account.verifiedEmail ?? null,
          emailVerified: account.verifiedEmail !== undefined,
          name: account.name ?? null,
        });
        const user = toPublicUser(created);
        await record(trx, {
          type: 'user.created',
          actor: `idp:${provider.id}`,
          subject: user.id,
          clientId: context.clientId ?? null,
          address: context.address,
          details: { username, via: 'identity_provider', idp: provider.id },
        });
        await linkIn(trx, provider, account, user, { ...context, by: 'jit' });
        return user;
      });
    },

    /** `idp.signin_refused`: an upstream account that is no user's, with creation off. */
    async refused(
      provider: PublicIdentityProvider,
      reason: 'not_linked' | 'disabled',
      context: SignInContext,
    ): Promise<void> {
      await record(db, {
        type: 'idp.signin_refused',
        actor: `idp:${provider.id}`,
        clientId: context.clientId ?? null,
        address: context.address,
        details: { idp: provider.id, name: provider.name, reason },
      });
    },
  };

  async function linkIn(
    trx: Database,
    provider: PublicIdentityProvider,
    account: UpstreamAccount,
    user: PublicUser,
    context: SignInContext & { by: 'password' | 'jit' },
  ) {
    try {
      await createIdentityProvidersRepository(trx).link(provider.id, account.sub, user.id);
    } catch (error) {
      throw fromStorage(error);
    }
    await record(trx, {
      type: 'idp.linked',
      actor: `user:${user.id}`,
      subject: user.id,
      clientId: context.clientId ?? null,
      address: context.address,
      details: { idp: provider.id, name: provider.name, upstream_sub: account.sub, by: context.by },
    });
  }
}

/** The service {@link createIdentityProvidersService} returns. */
export type IdentityProvidersService = ReturnType<typeof createIdentityProvidersService>;

// The upstream's name for the user when it is a valid username and free; otherwise with a
// number after it; otherwise a random one.
async function freeUsername(
  users: ReturnType<typeof createUsersRepository>,
  account: UpstreamAccount,
): Promise<string> {
  const wanted =
    asUsername((account.username ?? account.verifiedEmail?.split('@')[0] ?? '').slice(0, 56)) ??
    'user';
  for (let n = 1; n <= 20; n += 1) {
    const candidate = n === 1 ? wanted : `${wanted}-${n}`;
    if (!(await users.findByUsername(candidate))) return candidate;
  }
  return `${wanted}-${randomBytes(4).toString('hex')}`;
}
