import type { ClientRecord } from '@portcullis/storage';
import type { AuthServerError } from '../../errors.ts';
import type { CreateClientInput } from '../clients/client-crud.ts';
import { validateRedirectUri, validateWebUrl } from '../validation.ts';
import { RegistrationError } from './registration-error.ts';

/**
 * The grants a dynamically registered client may have: it signs people in with the
 * authorization code (PKCE required, as for every client) and may refresh. Never
 * client_credentials (tokens with no user behind them are for services an operator vouches for)
 * and never the device flow (its user codes are the weakest credential we hand out).
 */
export const DYNAMIC_CLIENT_GRANTS = ['authorization_code', 'refresh_token'] as const;

// How a client authenticates at the token endpoint: with its secret in HTTP Basic (the one way
// a confidential client's secret is checked here), or not at all (a public client).
const AUTH_METHODS = ['client_secret_basic', 'none'] as const;

// The OpenID scopes: allowed to every client that signs people in, whatever the token's policy.
const SIGN_IN_SCOPES = new Set(['openid', 'profile', 'email', 'offline_access']);

/** What limits a client's metadata: the scopes its initial access token allows, its resources. */
export interface RegistrationPolicy {
  /** API scopes it may have; empty: any its resources define. */
  scopes: readonly string[];
  resources: readonly string[];
}

// The RFC 7591 names of the service's input fields, for error messages.
const METADATA_NAMES: Readonly<Record<string, string>> = {
  name: 'client_name',
  grants: 'grant_types',
  redirectUris: 'redirect_uris',
  scopes: 'scope',
  public: 'token_endpoint_auth_method',
  homepage: 'client_uri',
  logoUri: 'logo_uri',
  dpopBoundAccessTokens: 'dpop_bound_access_tokens',
  requirePushedAuthorizationRequests: 'require_pushed_authorization_requests',
  resources: 'resources',
};

const metadataError = (message: string) =>
  new RegistrationError('invalid_client_metadata', message);

function stringList(body: Record<string, unknown>, name: string): string[] | undefined {
  const value = body[name];
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) {
    throw name === 'redirect_uris'
      ? new RegistrationError('invalid_redirect_uri', 'redirect_uris must be an array of strings')
      : metadataError(`${name} must be an array of strings`);
  }
  return value as string[];
}

function optionalString(body: Record<string, unknown>, name: string): string | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw metadataError(`${name} must be a string`);
  return value;
}

function optionalBoolean(body: Record<string, unknown>, name: string): boolean | undefined {
  const value = body[name];
  if (value !== undefined && typeof value !== 'boolean') {
    throw metadataError(`${name} must be true or false`);
  }
  return value;
}

/**
 * Reads RFC 7591 client metadata into the clients service's input, refusing what a dynamically
 * registered client may not have: grants other than {@link DYNAMIC_CLIENT_GRANTS}, response types
 * other than `code`, authentication other than a secret in HTTP Basic or none (public), API
 * scopes outside `policy`, and a back-channel logout URI (an operator's to set). The rest of the rules (exact https redirect URIs, http only on
 * loopback, scopes defined on the resources, ...) are those of `clients create`, which the
 * service applies next. Metadata it does not know is ignored (RFC 7591 §2). The client is always
 * third-party (consent is always asked) and gets the policy's resources.
 *
 * @example
 * const input = readClientMetadata({ redirect_uris: ['https://app.example/cb'] }, policy, 'app');
 */
export function readClientMetadata(
  body: unknown,
  policy: RegistrationPolicy,
  defaultName: string,
): CreateClientInput {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw metadataError('the request body must be a JSON object of client metadata');
  }
  const metadata = body as Record<string, unknown>;
  const redirectUris = stringList(metadata, 'redirect_uris') ?? [];
  for (const uri of redirectUris) {
    try {
      validateRedirectUri(uri);
    } catch (error) {
      throw new RegistrationError('invalid_redirect_uri', (error as Error).message);
    }
  }
  const grants = stringList(metadata, 'grant_types') ?? ['authorization_code'];
  const refused = grants.find((g) => !(DYNAMIC_CLIENT_GRANTS as readonly string[]).includes(g));
  if (refused !== undefined) {
    throw metadataError(
      `grant_types: "${refused}" is not allowed for dynamically registered clients (${DYNAMIC_CLIENT_GRANTS.join(', ')} only)`,
    );
  }
  const responseTypes = stringList(metadata, 'response_types') ?? ['code'];
  if (responseTypes.some((type) => type !== 'code')) {
    throw metadataError('response_types: only "code" is supported');
  }
  const authMethod =
    optionalString(metadata, 'token_endpoint_auth_method') ?? 'client_secret_basic';
  if (!(AUTH_METHODS as readonly string[]).includes(authMethod)) {
    throw metadataError(`token_endpoint_auth_method must be one of ${AUTH_METHODS.join(', ')}`);
  }
  const scopes = readScopes(optionalString(metadata, 'scope'), policy);
  const dpop = optionalBoolean(metadata, 'dpop_bound_access_tokens');
  // RFC 9126 §6: a client may ask that its authorization requests be accepted only pushed.
  const requirePar = optionalBoolean(metadata, 'require_pushed_authorization_requests');
  refuseOperatorOnly(metadata);
  // Checked here too, so the refusal names the metadata as the client sent it.
  const homepage = webUrl(optionalString(metadata, 'client_uri'), 'client_uri');
  const logoUri = webUrl(optionalString(metadata, 'logo_uri'), 'logo_uri');
  return {
    name: optionalString(metadata, 'client_name') ?? defaultName,
    grants,
    redirectUris,
    scopes,
    resources: [...policy.resources],
    public: authMethod === 'none',
    firstParty: false,
    dpopBoundAccessTokens: dpop === true,
    requirePushedAuthorizationRequests: requirePar === true,
    ...(homepage === undefined ? {} : { homepage }),
    ...(logoUri === undefined ? {} : { logoUri }),
  };
}

// OIDC Back-Channel Logout URIs are POSTed to from the server's own network without
// oidc-provider's guard against private and loopback addresses (provider/backchannel-logout.ts),
// which is safe only because an operator chose the URI: a registrant asking for one is told so,
// rather than having it silently dropped.
const OPERATOR_ONLY = ['backchannel_logout_uri', 'backchannel_logout_session_required'];

function refuseOperatorOnly(metadata: Record<string, unknown>): void {
  const sent = OPERATOR_ONLY.find((name) => metadata[name] !== undefined);
  if (sent !== undefined) {
    throw metadataError(
      `${sent} is not taken at registration: an operator sets it (portcullis clients update --backchannel-logout-uri)`,
    );
  }
}

function webUrl(value: string | undefined, name: string): string | undefined {
  if (value === undefined) return undefined;
  try {
    return validateWebUrl(value, name);
  } catch (error) {
    throw metadataError((error as Error).message);
  }
}

// The requested scopes, within the policy; none requested: those the policy allows.
function readScopes(requested: string | undefined, policy: RegistrationPolicy): string[] {
  if (requested === undefined) return [...policy.scopes];
  const scopes = [...new Set(requested.split(' ').filter(Boolean))];
  if (policy.scopes.length > 0) {
    const outside = scopes.find((s) => !SIGN_IN_SCOPES.has(s) && !policy.scopes.includes(s));
    if (outside !== undefined) {
      throw metadataError(`scope "${outside}" is not allowed by the initial access token`);
    }
  }
  return scopes;
}

/**
 * The service's refusal of a client's metadata as RFC 7591 names it: `invalid_redirect_uri` for
 * the redirect URIs, `invalid_client_metadata` for the rest (a name taken included). Anything
 * else is returned as it is.
 */
export function metadataRefusal(error: unknown): unknown {
  if (!(error instanceof Error) || error.name !== 'AuthServerError') return error;
  const { code, field, predicate, message } = error as AuthServerError;
  if (code !== 'invalid_input' && code !== 'conflict') return error;
  const name = field === undefined ? undefined : (METADATA_NAMES[field] ?? field);
  const text =
    code === 'conflict'
      ? 'client_name is already taken by another client'
      : predicate && name
        ? `${name} ${message}`
        : message;
  return new RegistrationError(
    field === 'redirectUris' ? 'invalid_redirect_uri' : 'invalid_client_metadata',
    text,
  );
}

/**
 * A client's registered metadata as RFC 7591 §3.2.1 answers it (never a secret: those are
 * stored only hashed, and shown once by the answer that creates them).
 *
 * @example
 * const body = { ...clientMetadata(client), registration_client_uri: uri };
 */
export function clientMetadata(client: ClientRecord): Record<string, unknown> {
  return {
    client_id: client.id,
    client_id_issued_at: Math.floor(client.createdAt.getTime() / 1000),
    client_name: client.name,
    redirect_uris: client.redirectUris,
    grant_types: client.grantTypes,
    response_types: ['code'],
    // As stored: an operator may since have moved a self-registered client to keys.
    token_endpoint_auth_method: client.tokenEndpointAuthMethod,
    scope: client.scopes.join(' '),
    ...(client.clientUri ? { client_uri: client.clientUri } : {}),
    ...(client.logoUri ? { logo_uri: client.logoUri } : {}),
    ...(client.dpopBoundAccessTokens ? { dpop_bound_access_tokens: true } : {}),
    ...(client.requirePushedAuthorizationRequests
      ? { require_pushed_authorization_requests: true }
      : {}),
    ...(client.tokenEndpointAuthMethod === 'client_secret_basic'
      ? { client_secret_expires_at: 0 }
      : {}),
  };
}
