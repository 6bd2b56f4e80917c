import type { ClientFields, ResourcesRepository } from '@portcullis/storage';
import { formatDuration, parseDuration } from '../../config/duration.ts';
import { DEVICE_CODE_GRANT, SUPPORTED_GRANTS, shortGrant } from '../../domain/grants.ts';
import { OIDC_SCOPES } from '../../domain/oidc-scopes.ts';
import {
  invalidInput,
  splitScopes,
  validateName,
  validateRedirectUri,
  validateResourceIdentifier,
  validateWebUrl,
} from '../validation.ts';

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
  scopes: readonly string[];
  resources: readonly string[];
  public: boolean;
  firstParty: boolean;
  homepage: string | null;
  logoUri: string | null;
  accessTokenTtl: TtlInput | null;
  refreshTokenTtl: TtlInput | null;
}

/** Grants as stored (RFC 8628's URN) from the operator's short names. */
const storedGrant = (grant: string) => (grant === 'device_code' ? DEVICE_CODE_GRANT : grant);

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
  if (grants.length === 0) invalidInput('at least one --grant is required');
  for (const grant of grants) {
    if (!(SUPPORTED_GRANTS as readonly string[]).includes(grant)) {
      invalidInput(`unknown grant "${grant}" (supported: ${SUPPORTED_GRANTS.join(', ')})`);
    }
  }
  if (draft.public && grants.includes('client_credentials')) {
    invalidInput('a public client cannot use client_credentials: it has no secret');
  }
  if (
    grants.includes('refresh_token') &&
    !grants.includes('authorization_code') &&
    !grants.includes('device_code')
  ) {
    invalidInput('refresh_token needs the authorization_code or device_code grant');
  }
  const redirectUris = [...new Set(draft.redirectUris)].map(validateRedirectUri);
  if (grants.includes('authorization_code') && redirectUris.length === 0) {
    invalidInput('authorization_code needs at least one --redirect-uri');
  }
  if (!grants.includes('authorization_code') && redirectUris.length > 0) {
    invalidInput('--redirect-uri is only for clients with the authorization_code grant');
  }
  const resourceIds = [...new Set(draft.resources)].map(validateResourceIdentifier);
  const scopes = splitScopes(draft.scopes);
  await checkScopes(scopes, resourceIds, resources);
  const accessTokenTtl = ttl(
    draft.accessTokenTtl,
    '--access-token-ttl',
    CLIENT_TTL_LIMITS.accessToken,
  );
  const refreshTokenTtl = ttl(
    draft.refreshTokenTtl,
    '--refresh-token-ttl',
    CLIENT_TTL_LIMITS.refreshToken,
  );
  if (refreshTokenTtl !== null && !grants.includes('refresh_token')) {
    invalidInput('--refresh-token-ttl is only for clients with the refresh_token grant');
  }
  return {
    name,
    grantTypes: grants.map(storedGrant),
    redirectUris,
    scopes,
    resources: resourceIds,
    isPublic: draft.public,
    firstParty: draft.firstParty,
    clientUri: draft.homepage === null ? null : validateWebUrl(draft.homepage, 'homepage'),
    logoUri: draft.logoUri === null ? null : validateWebUrl(draft.logoUri, 'logo URI'),
    accessTokenTtl,
    refreshTokenTtl,
  };
}

// Every scope must belong to one of the client's resources (or be an OpenID scope), so a typo
// is caught at registration instead of surfacing later as a puzzling invalid_scope.
async function checkScopes(
  scopes: string[],
  resourceIds: string[],
  resources: ResourcesRepository,
): Promise<void> {
  const known = new Set(OIDC_SCOPES);
  for (const id of resourceIds) {
    const resource = await resources.find(id);
    if (!resource)
      invalidInput(`unknown resource "${id}": register it with \`portcullis resources create\``);
    for (const scope of resource.scopes) known.add(scope.name);
  }
  const unknown = scopes.filter((s) => !known.has(s));
  if (unknown.length > 0) {
    invalidInput(
      `scope ${unknown.map((s) => `"${s}"`).join(', ')} is not defined on the client's resources`,
    );
  }
}

// A lifetime in seconds from `600`, `10m`, `30d` or a number; null stays null (not set).
function ttl(
  value: TtlInput | null,
  option: string,
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
    invalidInput(
      `${option} "${value}" is not a duration: use seconds or a number with s, m, h or d (10m, 30d)`,
    );
  }
  if (seconds < limits.min || seconds > limits.max) {
    invalidInput(
      `${option} must be from ${formatDuration(limits.min)} to ${formatDuration(limits.max)}`,
    );
  }
  return seconds;
}

/** The check of `--access-token-ttl`/`--refresh-token-ttl`, for callers that check ahead (`apply`). */
export const validateClientTtl = ttl;
