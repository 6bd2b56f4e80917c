import type { JWK } from 'jose';
import Provider, { errors, type TokenEndpointGrantContext } from 'oidc-provider';
import { ACCESS_TOKEN_TYPE, TOKEN_EXCHANGE_GRANT } from '../domain/grants.ts';
import type { ClientRegistry } from '../registry/client-registry.ts';
import type { ResourceRegistry } from '../registry/resource-registry.ts';
import type { PublicUser } from '../services/users-service.ts';
import type { GrantLookup } from './policy.ts';
import {
  type ActorClaim,
  actorIds,
  createSubjectTokenReader,
  MAX_ACTOR_CHAIN,
  readOpaqueSubjectToken,
  type SubjectToken,
} from './subject-token.ts';
import type { UserRoles } from './user-roles.ts';

/** What {@link registerTokenExchange} needs. */
export interface TokenExchangeDeps {
  issuer: string;
  /** The keys the server publishes: a subject token must be signed by one of them. */
  jwks: readonly JWK[];
  clients: ClientRegistry;
  resources: ResourceRegistry;
  grants: GrantLookup;
  users: { findById(id: string): Promise<PublicUser | undefined> };
  roles: UserRoles;
}

// The request parameters of the grant: RFC 8693 §2.1's, and RFC 8707's `resource`. The ones we
// refuse (actor_token, audience) are listed so they are refused rather than silently dropped.
const PARAMETERS = [
  'subject_token',
  'subject_token_type',
  'actor_token',
  'actor_token_type',
  'requested_token_type',
  'resource',
  'audience',
  'scope',
];

// oidc-provider's tokens keep their lifetime in `expiresIn` (set by the constructor, or by the
// first read of `expiration`); its typings leave the property out.
interface Lifetime {
  expiresIn: number;
}

// What each exchanged token carries, for `extraTokenClaims` (oidc-provider replaces a token's
// `extra` with what that returns when it saves the token): the actor chain and the user's grant.
const delegations = new WeakMap<object, { act: ActorClaim; grantId?: string }>();

/**
 * The claims of an access token being issued by token exchange, for `extraTokenClaims`: `act`,
 * and `grant_id`, the user's grant the subject token stems from (so the revocation feed's
 * revoked grant reaches every token of the chain); undefined for every other token. The
 * exchanged token itself names no grant to oidc-provider: introspection would then require the
 * grant to be the exchanging client's.
 *
 * @example
 * extraTokenClaims: async (ctx, token) => ({ ...(await roles(ctx, token)), ...delegationClaim(token) })
 */
export function delegationClaim(token: object): { act: ActorClaim; grant_id?: string } | undefined {
  const delegation = delegations.get(token);
  if (!delegation) return undefined;
  const { act, grantId } = delegation;
  return grantId ? { act, grant_id: grantId } : { act };
}

/**
 * RFC 8693 token exchange, for delegation only: a confidential first-party client whose operator
 * allowed it a resource (`clients update --may-exchange-for`) presents a user's access token that
 * was issued for an API it serves (a resource naming it as introspection client) and gets an
 * access token for that resource, with the user as `sub`, itself as `client_id`, and itself in
 * `act` (the subject token's own `act` nested inside: the chain). Scopes only narrow: what is
 * asked must be in the subject token, on the resource, allowed to the client and, for a
 * role-gated scope, held by the user through a role. The new token never outlives the subject
 * token. No impersonation (a token without `act`) and no `actor_token`: the authenticated client
 * is the actor. Refusals follow RFC 8693 §2.2.2 (docs/security.md, "Token exchange").
 *
 * @example
 * registerTokenExchange(provider, { issuer, jwks, clients, resources, grants, users, roles });
 */
export function registerTokenExchange(provider: Provider, deps: TokenExchangeDeps): void {
  const readSubjectToken = createSubjectTokenReader({ issuer: deps.issuer, jwks: deps.jwks });

  provider.registerGrantType(
    TOKEN_EXCHANGE_GRANT,
    async (ctx: TokenEndpointGrantContext) => {
      const { client, params } = ctx.oidc;
      const cached = await deps.clients.get(client.clientId);
      const mayExchangeFor = allowedTargets(cached);
      rejectUnsupported(params);

      const target = single(params.resource);
      if (params.audience !== undefined) {
        throw new errors.InvalidTarget('name the API with resource (RFC 8707), not audience');
      }
      if (target === undefined)
        throw new errors.InvalidTarget('the resource parameter is required');
      const resource = mayExchangeFor.includes(target)
        ? await deps.resources.get(target)
        : undefined;
      if (!resource) {
        throw new errors.InvalidTarget('this client may not exchange tokens for the resource');
      }

      // A JWT is three dot-separated parts; anything else can only be one of our stored tokens.
      const presented = String(params.subject_token);
      const subject =
        presented.split('.').length === 3
          ? await readSubjectToken(presented)
          : await readOpaqueSubjectToken(provider, presented);
      await assertServedBy(subject, client.clientId, deps.resources);
      await assertNotRevoked(subject, deps, provider);
      if (actorIds(subject.act).length >= MAX_ACTOR_CHAIN) {
        throw new errors.InvalidRequest('subject_token has too long a chain of actors');
      }

      const scope = await narrowedScope(
        scopeList(params.scope),
        subject,
        resource,
        cached?.record.scopes ?? [],
        deps.roles,
      );
      const act: ActorClaim = subject.act
        ? { sub: client.clientId, act: subject.act }
        : { sub: client.clientId };

      const token = new provider.AccessToken({
        accountId: subject.sub,
        client,
        scope,
        gty: 'token_exchange',
      } as ConstructorParameters<typeof provider.AccessToken>[0]);
      token.resourceServer = new provider.ResourceServer(target, {
        scope,
        audience: target,
        accessTokenTTL: resource.accessTokenTtl,
        accessTokenFormat: resource.accessTokenFormat === 'opaque' ? 'opaque' : 'jwt',
        jwt: { sign: { alg: 'ES256' } },
      });
      // The client's or the resource's lifetime, but never past the subject token's expiry.
      const left = subject.exp - Math.floor(Date.now() / 1000);
      (token as unknown as Lifetime).expiresIn = Math.max(1, Math.min(token.expiration, left));
      delegations.set(token, subject.grantId ? { act, grantId: subject.grantId } : { act });
      ctx.oidc.entity('AccessToken', token);
      const value = await token.save();

      ctx.body = {
        access_token: value,
        issued_token_type: ACCESS_TOKEN_TYPE,
        token_type: token.tokenType,
        expires_in: token.expiration,
        scope,
      };
    },
    PARAMETERS,
  );
}

// Who may exchange at all: a confidential, first-party client with a policy. Anyone else is
// unauthorized_client, the same answer whichever condition failed.
function allowedTargets(cached: Awaited<ReturnType<ClientRegistry['get']>>): string[] {
  const record = cached?.record;
  if (!record || record.isPublic) {
    throw new errors.UnauthorizedClient('a public client cannot exchange tokens');
  }
  if (!record.firstParty || record.mayExchangeFor.length === 0) {
    throw new errors.UnauthorizedClient('this client may not exchange tokens');
  }
  if (record.dpopBoundAccessTokens) {
    throw new errors.UnauthorizedClient(
      'token exchange issues bearer tokens, and this client requires DPoP',
    );
  }
  return record.mayExchangeFor;
}

// The request's token types and the parameters we do not offer.
function rejectUnsupported(params: Record<string, unknown>): void {
  if (params.actor_token !== undefined || params.actor_token_type !== undefined) {
    throw new errors.InvalidRequest(
      'actor_token is not accepted: the authenticated client is the actor',
    );
  }
  if (params.subject_token === undefined || params.subject_token === '') {
    throw new errors.InvalidRequest('missing required parameter subject_token');
  }
  if (params.subject_token_type !== ACCESS_TOKEN_TYPE) {
    throw new errors.InvalidRequest(`subject_token_type must be ${ACCESS_TOKEN_TYPE}`);
  }
  if (
    params.requested_token_type !== undefined &&
    params.requested_token_type !== ACCESS_TOKEN_TYPE
  ) {
    throw new errors.InvalidRequest(`requested_token_type must be ${ACCESS_TOKEN_TYPE}`);
  }
}

const single = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

const scopeList = (value: unknown): string[] | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value.split(' ').filter(Boolean) : undefined;

// The subject token must have been issued for an API this client serves: a resource naming the
// client as one of its introspection clients (`resources update --introspection-client`), the
// link RFC 7662 §4 already makes between an API and the client it authenticates as.
async function assertServedBy(
  subject: SubjectToken,
  clientId: string,
  resources: ResourceRegistry,
): Promise<void> {
  for (const audience of subject.audiences) {
    const resource = await resources.get(audience);
    if (resource?.introspectionClients.includes(clientId)) return;
  }
  throw new errors.InvalidRequest('subject_token was not issued for an API this client serves');
}

// Revoked as far as the server knows: the user gone or disabled, the client it was issued to (or
// an actor of its chain) gone or disabled, or the user's grant revoked (/account, `tokens revoke`,
// refresh-token reuse): the grant the token names, which must be the user's (and, for a token
// straight from the app, the app's); for an older JWT naming none, the user's grant to its app.
async function assertNotRevoked(
  subject: SubjectToken,
  deps: TokenExchangeDeps,
  provider: Provider,
): Promise<void> {
  const user = await deps.users.findById(subject.sub);
  if (!user || user.disabledAt) {
    throw new errors.InvalidRequest("subject_token is not a current user's");
  }
  for (const clientId of [subject.clientId, ...actorIds(subject.act)]) {
    if (!(await deps.clients.get(clientId))) {
      throw new errors.InvalidRequest('subject_token was revoked');
    }
  }
  if (subject.grantId) {
    const grant = await provider.Grant.find(subject.grantId);
    if (
      !grant ||
      grant.accountId !== subject.sub ||
      (!subject.act && grant.clientId !== subject.clientId)
    ) {
      throw new errors.InvalidRequest('subject_token was revoked');
    }
  } else if (!subject.act && !(await deps.grants.findLatestFor(subject.sub, subject.clientId))) {
    throw new errors.InvalidRequest('subject_token was revoked');
  }
}

// What the new token may carry: the subject token's scopes that are the resource's, allowed to
// the client and, when role-gated, held by the user. A request for more is invalid_scope; no
// request gets all of them; none left is invalid_scope too (a token for nothing).
async function narrowedScope(
  requested: string[] | undefined,
  subject: SubjectToken,
  resource: NonNullable<Awaited<ReturnType<ResourceRegistry['get']>>>,
  clientScopes: readonly string[],
  roles: UserRoles,
): Promise<string> {
  const onResource = new Set(resource.scopes.map((s) => s.name));
  const gated = new Set(resource.roleGatedScopes);
  const held =
    gated.size > 0
      ? new Set((await roles.onResource(subject.sub, resource.identifier)).scopes)
      : new Set<string>();
  const allowed = subject.scopes.filter(
    (s) => onResource.has(s) && clientScopes.includes(s) && (!gated.has(s) || held.has(s)),
  );
  if (requested) {
    const refused = requested.find((s) => !allowed.includes(s));
    if (refused !== undefined) {
      throw new errors.InvalidScope('requested scope is not allowed', refused);
    }
  }
  const scope = [...new Set(requested ?? allowed)];
  if (scope.length === 0) {
    throw new errors.InvalidScope(
      'no scope of the subject token is allowed for the resource',
      allowed.join(' '),
    );
  }
  return scope.join(' ');
}
