import type {
  ClientFields,
  ClientJwks,
  ResourcesRepository,
  TokenEndpointAuthMethod,
} from '@portcullis/storage';
import { formatDuration, parseDuration } from '../../domain/duration.ts';
import { SUPPORTED_GRANTS, shortGrant, storedGrant } from '../../domain/grants.ts';
import { OIDC_SCOPES } from '../../domain/oidc-scopes.ts';
import {
  aboutField,
  invalidField,
  invalidInput,
  splitScopes,
  validateBackchannelLogoutUri,
  validateName,
  validateRedirectUri,
  validateResourceIdentifier,
  validateWebOrigin,
  validateWebUrl,
} from '../validation.ts';
import { validateClientJwks, validateJwksUri } from './client-keys.ts';

/** Bounds of a client's own token lifetimes, in seconds. */
export const CLIENT_TTL_LIMITS = {
  accessToken: { min: 1, max: 86_400 },
  refreshToken: { min: 60, max: 365 * 86_400 },
} as const;

/** A lifetime as the operator gives it: `600`, `10m`, `30d`, or a number of seconds. */
export type TtlInput = string | number;

/**
 * Everything validation needs, in the operator's terms: one shape for create and for update (the
 * stored client with the changes laid over it), so both check exactly the same rules.
 */
export interface ClientDraft {
  name: string;
  grants: readonly string[];
  redirectUris: readonly string[];
  webOrigins: readonly string[];
  dpopBoundAccessTokens: boolean;
  requirePushedAuthorizationRequests: boolean;
  requireMfa: boolean;
  backchannelLogoutUri: string | null;
  backchannelLogoutSessionRequired: boolean;
  scopes: readonly string[];
  resources: readonly string[];
  /** The resources it may exchange a user's access token for (RFC 8693); empty: none. */
  mayExchangeFor: readonly string[];
  /** How it was registered: a dynamic client is never given a delegation policy. */
  registeredVia: 'operator' | 'dynamic';
  public: boolean;
  /** How a confidential client authenticates; undefined: with a secret (`client_secret_basic`). */
  authMethod: string | undefined;
  /** A `private_key_jwt` client's key set as given (checked here), or null. */
  jwks: unknown;
  jwksUri: string | null;
  firstParty: boolean;
  homepage: string | null;
  logoUri: string | null;
  accessTokenTtl: TtlInput | null;
  refreshTokenTtl: TtlInput | null;
}

/**
 * Every rule a client must satisfy, whichever command set it: the fields to store, or
 * `invalid_input` before anything is written.
 *
 * @example
 * const fields = await validateClientDraft(draft, createResourcesRepository(db));
 */
export async function validateClientDraft(
  draft: ClientDraft,
  resources: ResourcesRepository,
): Promise<ClientFields> {
  const name = validateName(draft.name, 'client name');
  const grants = [...new Set(draft.grants.map(shortGrant))];
  if (grants.length === 0) invalidField('grants', 'is required');
  for (const grant of grants) {
    if (!(SUPPORTED_GRANTS as readonly string[]).includes(grant)) {
      invalidInput(`unknown grant "${grant}" (supported: ${SUPPORTED_GRANTS.join(', ')})`, {
        field: 'grants',
        index: draft.grants.findIndex((g) => shortGrant(g) === grant),
        value: grant,
      });
    }
  }
  const credentials = clientCredentials(draft);
  if (draft.public && grants.includes('client_credentials')) {
    invalidInput('a public client cannot use client_credentials: it has no secret', {
      field: 'public',
    });
  }
  if (
    grants.includes('refresh_token') &&
    !grants.includes('authorization_code') &&
    !grants.includes('device_code')
  ) {
    invalidInput('refresh_token needs the authorization_code or device_code grant', {
      field: 'grants',
    });
  }
  const redirectUris = [...new Set(draft.redirectUris)].map((uri, index) =>
    aboutField('redirectUris', index, () => validateRedirectUri(uri)),
  );
  if (grants.includes('authorization_code') && redirectUris.length === 0) {
    invalidField('redirectUris', 'is required by the authorization_code grant');
  }
  if (!grants.includes('authorization_code') && redirectUris.length > 0) {
    invalidField('redirectUris', 'is only for clients with the authorization_code grant');
  }
  const webOrigins = [
    ...new Set(
      draft.webOrigins.map((origin, index) =>
        aboutField('webOrigins', index, () => validateWebOrigin(origin)),
      ),
    ),
  ];
  // CORS matters only to code running in a browser page, which cannot keep a secret: a browser
  // app is a public client signing people in with the authorization code. A confidential
  // client's calls come from its server, which needs no CORS; allowing them would invite putting
  // its secret in a page.
  if (webOrigins.length > 0 && !(draft.public && grants.includes('authorization_code'))) {
    invalidField(
      'webOrigins',
      'is only for public clients with the authorization_code grant (browser apps)',
    );
  }
  // Only authorization requests are pushed (RFC 9126): another client has none to push.
  if (draft.requirePushedAuthorizationRequests && !grants.includes('authorization_code')) {
    invalidField(
      'requirePushedAuthorizationRequests',
      'is only for clients with the authorization_code grant',
    );
  }
  // Only a user's sign-in can take a second factor: another grant has no user.
  if (draft.requireMfa && !grants.includes('authorization_code')) {
    invalidField('requireMfa', 'is only for clients with the authorization_code grant');
  }
  const backchannelLogoutUri = backchannelLogout(draft, grants);
  const resourceIds = [...new Set(draft.resources)].map(validateResourceIdentifier);
  const mayExchangeFor = await exchangePolicy(draft, resources);
  const scopes = splitScopes(draft.scopes);
  await checkScopes(draft, scopes, resourceIds, resources);
  const accessTokenTtl = ttl(draft.accessTokenTtl, 'accessTokenTtl', CLIENT_TTL_LIMITS.accessToken);
  const refreshTokenTtl = ttl(
    draft.refreshTokenTtl,
    'refreshTokenTtl',
    CLIENT_TTL_LIMITS.refreshToken,
  );
  if (refreshTokenTtl !== null && !grants.includes('refresh_token')) {
    invalidField('refreshTokenTtl', 'is only for clients with the refresh_token grant');
  }
  return {
    name,
    grantTypes: grants.map(storedGrant),
    redirectUris,
    webOrigins,
    dpopBoundAccessTokens: draft.dpopBoundAccessTokens,
    requirePushedAuthorizationRequests: draft.requirePushedAuthorizationRequests,
    requireMfa: draft.requireMfa,
    backchannelLogoutUri,
    backchannelLogoutSessionRequired: draft.backchannelLogoutSessionRequired,
    scopes,
    resources: resourceIds,
    mayExchangeFor,
    isPublic: draft.public,
    ...credentials,
    firstParty: draft.firstParty,
    clientUri: draft.homepage === null ? null : validateWebUrl(draft.homepage, 'homepage'),
    logoUri: draft.logoUri === null ? null : validateWebUrl(draft.logoUri, 'logo URI'),
    accessTokenTtl,
    refreshTokenTtl,
  };
}

// Token exchange (RFC 8693) lets a service act for a user at another API: only a confidential,
// first-party client the operator registered may be given it (docs/security.md, "Token
// exchange"), for registered resources.
async function exchangePolicy(
  draft: ClientDraft,
  resources: ResourcesRepository,
): Promise<string[]> {
  const identifiers = [...new Set(draft.mayExchangeFor)].map(validateResourceIdentifier);
  if (identifiers.length === 0) return identifiers;
  if (draft.public) {
    invalidField(
      'mayExchangeFor',
      'is only for confidential clients (a public client has no secret)',
    );
  }
  if (!draft.firstParty) {
    invalidField('mayExchangeFor', 'is only for first-party clients (services of your own)');
  }
  if (draft.registeredVia === 'dynamic') {
    invalidField(
      'mayExchangeFor',
      'is not for dynamically registered clients: register the service with clients create',
    );
  }
  for (const [index, identifier] of identifiers.entries()) {
    if (!(await resources.find(identifier))) {
      invalidInput(
        `unknown resource "${identifier}": register it with \`portcullis resources create\``,
        {
          field: 'mayExchangeFor',
          index,
          value: identifier,
        },
      );
    }
  }
  return identifiers;
}

// A logout token tells an app that a user's sign-in with us ended: only apps that sign users in
// (the authorization_code grant) have such a session to end. The sid requirement needs the URI.
function backchannelLogout(draft: ClientDraft, grants: readonly string[]): string | null {
  if (draft.backchannelLogoutUri === null) {
    if (draft.backchannelLogoutSessionRequired) {
      invalidField('backchannelLogoutSessionRequired', 'needs a back-channel logout URI');
    }
    return null;
  }
  if (!grants.includes('authorization_code')) {
    invalidField(
      'backchannelLogoutUri',
      'is only for clients with the authorization_code grant (apps that sign users in)',
    );
  }
  const uri = draft.backchannelLogoutUri;
  return aboutField('backchannelLogoutUri', undefined, () => validateBackchannelLogoutUri(uri));
}

/** The token-endpoint authentication methods an operator may choose for a confidential client. */
const CONFIDENTIAL_AUTH_METHODS = ['client_secret_basic', 'private_key_jwt'] as const;

// How the client authenticates and with which keys: none for a public client; a secret, or keys
// and no secret (`private_key_jwt`, exactly one of a key set and a JWKS URI).
function clientCredentials(draft: ClientDraft): {
  tokenEndpointAuthMethod: TokenEndpointAuthMethod;
  jwks: ClientJwks | null;
  jwksUri: string | null;
} {
  const hasKeys = draft.jwks !== null || draft.jwksUri !== null;
  if (draft.public) {
    if (draft.authMethod !== undefined && draft.authMethod !== 'none') {
      invalidField('authMethod', `is ${draft.authMethod}: a public client authenticates with none`);
    }
    if (hasKeys) {
      invalidField(draft.jwks !== null ? 'jwks' : 'jwksUri', 'is only for private_key_jwt clients');
    }
    return { tokenEndpointAuthMethod: 'none', jwks: null, jwksUri: null };
  }
  const method = draft.authMethod ?? 'client_secret_basic';
  if (!(CONFIDENTIAL_AUTH_METHODS as readonly string[]).includes(method)) {
    invalidField(
      'authMethod',
      `"${method}" is not supported (supported: ${CONFIDENTIAL_AUTH_METHODS.join(', ')}; a public client: --public)`,
      { value: method },
    );
  }
  if (method === 'client_secret_basic') {
    if (hasKeys) {
      invalidField(
        draft.jwks !== null ? 'jwks' : 'jwksUri',
        'is only for private_key_jwt clients (a client with a secret has no keys)',
      );
    }
    return { tokenEndpointAuthMethod: 'client_secret_basic', jwks: null, jwksUri: null };
  }
  if (draft.jwks !== null && draft.jwksUri !== null) {
    invalidField(
      'jwks',
      'and a JWKS URI were both given: a private_key_jwt client has one of them',
    );
  }
  if (!hasKeys) {
    invalidField('jwks', 'or a JWKS URI is required by private_key_jwt (the client has no secret)');
  }
  return {
    tokenEndpointAuthMethod: 'private_key_jwt',
    jwks: draft.jwks === null ? null : validateClientJwks(draft.jwks),
    jwksUri: draft.jwksUri === null ? null : validateJwksUri(draft.jwksUri),
  };
}

/**
 * Every scope must belong to one of the resources (or be an OpenID scope), so a typo is caught
 * at registration instead of surfacing later as a puzzling invalid_scope; every resource must be
 * registered. `draft` is the input as given (its positions name the offending item); `scopes`
 * and `resourceIds` the same, split and validated; `owner` whose resources they are, in errors.
 *
 * @example
 * await checkScopes({ scopes: ['notes:read'], resources: [api] }, ['notes:read'], [api], repo);
 */
export async function checkScopes(
  draft: Pick<ClientDraft, 'scopes' | 'resources'>,
  scopes: string[],
  resourceIds: string[],
  resources: ResourcesRepository,
  owner = 'the client',
): Promise<void> {
  const known = new Set(OIDC_SCOPES);
  for (const id of resourceIds) {
    const resource = await resources.find(id);
    if (!resource) {
      invalidInput(`unknown resource "${id}": register it with \`portcullis resources create\``, {
        field: 'resources',
        index: draft.resources.indexOf(id),
        value: id,
      });
    }
    for (const scope of resource.scopes) known.add(scope.name);
  }
  const unknown = scopes.filter((s) => !known.has(s));
  if (unknown.length > 0) {
    // The first unknown scope's place in the input, where an item may hold several scopes.
    const first = unknown[0] as string;
    invalidInput(
      `scope ${unknown.map((s) => `"${s}"`).join(', ')} is not defined on ${owner}'s resources`,
      {
        field: 'scopes',
        index: draft.scopes.findIndex((item) => item.split(/\s+/).includes(first)),
        value: first,
      },
    );
  }
}

// A lifetime in seconds from `600`, `10m`, `30d` or a number; null stays null (not set). `field`
// is the input field it came from, named by the errors.
function ttl(
  value: TtlInput | null,
  field: string,
  limits: { min: number; max: number },
): number | null {
  if (value === null) return null;
  const seconds =
    typeof value === 'number'
      ? Number.isInteger(value)
        ? value
        : undefined
      : parseDuration(value);
  if (seconds === undefined) {
    invalidField(
      field,
      `"${value}" is not a duration: use seconds or a number with s, m, h or d (10m, 30d)`,
      { value },
    );
  }
  if (seconds < limits.min || seconds > limits.max) {
    invalidField(
      field,
      `must be from ${formatDuration(limits.min)} to ${formatDuration(limits.max)}`,
      { value },
    );
  }
  return seconds;
}

/** The check of a client's lifetimes (and secret overlaps), for callers that check ahead (`apply`). */
export const validateClientTtl = ttl;
