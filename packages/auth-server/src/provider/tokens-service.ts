import {
  type ArtifactCounts,
  createArtifactsRepository,
  createAuditRepository,
  createClientsRepository,
  createResourcesRepository,
  type Database,
} from '@portcullis/storage';
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';
import { formatDuration, parseDuration } from '../domain/duration.ts';
import { AuthServerError } from '../errors.ts';
import { createClientRegistry } from '../registry/client-registry.ts';
import { newId } from '../services/new-id.ts';
import { createUsersService } from '../services/users-service.ts';
import { invalidInput, splitScopes, validateResourceIdentifier } from '../services/validation.ts';
import { createAdapterClass } from './adapter.ts';
import { withGrantClaim } from './grant-claim.ts';

/** Lifetime of an operator-issued token when none is given. */
export const DEFAULT_OPERATOR_TOKEN_TTL = 90 * 86_400;
const MAX_OPERATOR_TOKEN_TTL = 365 * 86_400;

/** What `tokens issue` asks for. */
export interface IssueTokenInput {
  /** Client id or name: the token is issued to it, and only it (and the resource's introspection clients) may introspect it. */
  client: string;
  /** User id or username the token acts for; none: the client acts for itself. */
  user?: string;
  /** Scopes, space-separated; each must be the resource's and allowed to the client. */
  scopes: readonly string[];
  /** The resource (audience) the token is for. */
  resource: string;
  /** Lifetime: seconds or a duration like `90d` [90 days], at most 365 days. */
  ttl?: number | string;
}

/** A token just issued: the only time its value is ever available. */
export interface IssuedToken {
  accessToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
  expiresAt: Date;
  /** The grant made for it: `tokens revoke --grant` revokes exactly this token. */
  grantId: string;
  clientId: string;
  subject: string | null;
  scope: string;
  resource: string;
}

/** What `tokens revoke` targets: one grant, or everything of a client, a user, or both. */
export type RevokeTarget = { grant: string } | { client?: string; user?: string };

/** What was revoked: artifacts deleted per oidc-provider model, and their total. */
export interface RevokedArtifacts {
  revoked: ArtifactCounts;
  total: number;
}

/** Who made a change, for the audit trail (`cli:<user>`; `system` when not said). */
export interface TokenChangeOptions {
  actor?: string;
}

// The issuer is not part of a stored opaque token (the server answering introspection names its
// own), so the CLI's model-only Provider never needs the real one.
const MODELS_ISSUER = 'https://portcullis.invalid';

/**
 * Operator-issued API tokens (django-rest-framework's "token created via the admin interface")
 * and revocation. Tokens are made by oidc-provider's own models (`Grant`, `AccessToken`) through
 * our PostgreSQL adapter, in a Provider instance that serves no requests, so they are stored
 * exactly as the server stores opaque access tokens and its introspection and revocation
 * endpoints treat them like any other. Needing oidc-provider, it sits here rather than in
 * services/ (which the CLI loads without it), and only the package's main entry exports it.
 *
 * @example
 * const tokens = createTokensService(db);
 * const issued = await tokens.issue(
 *   { client: 'reporting', scopes: ['notes:read'], resource: 'https://api.example.com', ttl: '90d' },
 *   { actor: 'cli:alice' },
 * );
 */
export function createTokensService(db: Database) {
  const clients = createClientsRepository(db);
  const resources = createResourcesRepository(db);
  const users = createUsersService(db);
  let provider: Promise<Provider> | undefined;

  // A signing key oidc-provider insists on having; opaque tokens are never signed.
  const models = () => {
    provider ??= (async () => {
      const { privateKey } = await generateKeyPair('ES256', { extractable: true });
      const Adapter = createAdapterClass({
        artifacts: createArtifactsRepository(db),
        clients: createClientRegistry({ clients }),
      });
      return new Provider(MODELS_ISSUER, {
        adapter: Adapter as never,
        features: { devInteractions: { enabled: false } },
        // The grant_id claim, as the server's own opaque tokens carry it: introspection answers
        // it, and an API following the revocation feed refuses the token once its grant is
        // revoked, even while it holds an earlier introspection answer.
        extraTokenClaims: withGrantClaim(async () => undefined) as never,
        jwks: { keys: [{ ...(await exportJWK(privateKey)), alg: 'ES256', use: 'sig' }] as never },
      });
    })();
    return provider;
  };

  // Unknown names carry the field that gave them: the admin API answers an unknown client, user
  // or resource in a body as a bad body (400 naming it), not as a missing page (404).
  const mustFindClient = async (idOrName: string) => {
    const client = await clients.findByIdOrName(idOrName);
    if (!client) {
      throw new AuthServerError('not_found', `no client with id or name "${idOrName}"`, {
        field: 'client',
        value: idOrName,
      });
    }
    return client;
  };
  const mustFindUser = async (idOrUsername: string) => {
    try {
      return await users.show(idOrUsername);
    } catch (error) {
      const { code, message } = error as Partial<AuthServerError>;
      if (code !== 'not_found' || message === undefined) throw error;
      throw new AuthServerError('not_found', message, { field: 'user', value: idOrUsername });
    }
  };

  return {
    /** Issues an opaque access token after checking the client, user, resource and scopes. */
    async issue(input: IssueTokenInput, options: TokenChangeOptions = {}): Promise<IssuedToken> {
      const ttl =
        typeof input.ttl === 'number'
          ? input.ttl
          : parseDuration(input.ttl ?? String(DEFAULT_OPERATOR_TOKEN_TTL));
      if (ttl === undefined || !Number.isInteger(ttl) || ttl < 60 || ttl > MAX_OPERATOR_TOKEN_TTL) {
        invalidInput(
          `the lifetime must be from 1 minute to 365 days (like 90d), got "${input.ttl}"`,
          { field: 'ttl', value: input.ttl },
        );
      }
      const identifier = validateResourceIdentifier(input.resource);
      const scopes = splitScopes(input.scopes);
      if (scopes.length === 0) invalidInput('give at least one scope', { field: 'scopes' });

      const client = await mustFindClient(input.client);
      if (client.disabledAt) invalidInput(`client "${client.name}" is disabled`);
      const resource = await resources.find(identifier);
      if (!resource) {
        throw new AuthServerError('not_found', `no resource "${identifier}"`, {
          field: 'resource',
          value: identifier,
        });
      }
      if (!client.resources.includes(identifier)) {
        invalidInput(`client "${client.name}" is not allowed the resource ${identifier}`, {
          field: 'resource',
          value: identifier,
        });
      }
      for (const scope of scopes) {
        const subject = { field: 'scopes', value: scope };
        if (!resource.scopes.some((s) => s.name === scope)) {
          invalidInput(`scope "${scope}" is not a scope of ${identifier}`, subject);
        }
        if (!client.scopes.includes(scope)) {
          invalidInput(`client "${client.name}" is not allowed the scope "${scope}"`, subject);
        }
      }
      let accountId: string | undefined;
      if (input.user !== undefined) {
        const user = await mustFindUser(input.user);
        if (user.disabledAt) invalidInput(`user "${user.username}" is disabled`);
        accountId = user.id;
      }

      const scope = scopes.join(' ');
      const oidc = await models();
      // Both end together: introspection refuses a token whose grant has expired.
      const iat = Math.floor(Date.now() / 1000);
      const exp = iat + ttl;
      const grant = new oidc.Grant({
        jti: newId(),
        clientId: client.id,
        accountId,
        iat,
        exp,
      } as never);
      grant.addResourceScope(identifier, scope);
      const grantId = await grant.save();
      const token = new oidc.AccessToken({
        clientId: client.id,
        accountId,
        grantId,
        scope,
        gty: 'operator',
        iat,
        exp,
        resourceServer: new oidc.ResourceServer(identifier, {
          audience: identifier,
          scope,
          accessTokenFormat: 'opaque',
          accessTokenTTL: ttl,
        }),
      } as never);
      const accessToken = await token.save();
      const expiresAt = new Date(exp * 1000);
      await createAuditRepository(db).record({
        type: 'token.issued',
        actor: options.actor ?? 'system',
        clientId: client.id,
        subject: accountId ?? null,
        details: {
          grant_id: grantId,
          resource: identifier,
          scope,
          ttl: formatDuration(ttl),
          expires_at: expiresAt.toISOString(),
        },
      });
      return {
        accessToken,
        tokenType: 'Bearer',
        expiresIn: ttl,
        expiresAt,
        grantId,
        clientId: client.id,
        subject: accountId ?? null,
        scope,
        resource: identifier,
      };
    },

    /**
     * Deletes a grant and what was issued from it, or every grant, code and token of a client,
     * of a user (and the user's sessions), or of a user with one client. Running servers see it
     * at once: nothing of it is cached. `not_found` for an unknown grant, client or user.
     */
    async revoke(
      target: RevokeTarget,
      options: TokenChangeOptions = {},
    ): Promise<RevokedArtifacts> {
      let where: Parameters<ReturnType<typeof createArtifactsRepository>['revoke']>[0];
      let clientId: string | null = null;
      let subject: string | null = null;
      const details: Record<string, unknown> = {};
      if ('grant' in target) {
        const grant = await createArtifactsRepository(db).find('Grant', target.grant);
        clientId = (grant?.payload.clientId as string | undefined) ?? null;
        subject = (grant?.payload.accountId as string | undefined) ?? null;
        where = { grantId: target.grant };
        details.by = 'grant';
        details.grant_id = target.grant;
      } else {
        if (target.client === undefined && target.user === undefined) {
          invalidInput('give a grant, a client or a user');
        }
        if (target.client !== undefined) clientId = (await mustFindClient(target.client)).id;
        if (target.user !== undefined) subject = (await mustFindUser(target.user)).id;
        where = { clientId: clientId ?? undefined, accountId: subject ?? undefined };
        details.by = [clientId && 'client', subject && 'user'].filter(Boolean).join('+');
      }
      const revoked = await db.transaction(async (trx) => {
        const counts = await createArtifactsRepository(trx).revoke(where);
        if ('grant' in target && Object.keys(counts).length === 0) {
          throw new AuthServerError('not_found', `no grant "${target.grant}"`);
        }
        await createAuditRepository(trx).record({
          type: 'token.revoked',
          actor: options.actor ?? 'system',
          clientId,
          subject,
          details: { ...details, revoked: counts },
        });
        return counts;
      });
      return { revoked, total: Object.values(revoked).reduce((sum, n) => sum + n, 0) };
    },
  };
}

/**
 * An issued token in its JSON shape (RFC 6749 token response names), as `tokens issue --json`
 * prints it and `POST /admin/v1/tokens` answers it: the only time its value is shown.
 *
 * @example
 * printJson(io, issuedTokenJson(await tokens.issue(input))); // { access_token, grant_id, ... }
 */
export function issuedTokenJson(issued: IssuedToken) {
  return {
    access_token: issued.accessToken,
    token_type: issued.tokenType,
    expires_in: issued.expiresIn,
    expires_at: issued.expiresAt.toISOString(),
    scope: issued.scope,
    resource: issued.resource,
    client_id: issued.clientId,
    sub: issued.subject,
    grant_id: issued.grantId,
  };
}

/** The service {@link createTokensService} returns. */
export type TokensService = ReturnType<typeof createTokensService>;
