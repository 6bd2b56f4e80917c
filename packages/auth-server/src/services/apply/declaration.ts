import type { ScopeRecord } from '@portcullis/storage';
import { OIDC_SCOPES } from '../../domain/oidc-scopes.ts';
import { AuthServerError } from '../../errors.ts';
import { validateJwksUri } from '../clients/client-keys.ts';
import {
  CLIENT_TTL_LIMITS,
  SUPPORTED_GRANTS,
  shortGrant,
  type TtlInput,
  validateClientTtl,
} from '../clients-service.ts';
import {
  validateCredential,
  validateKind,
  validateProviderName,
  validateProviderUrl,
} from '../identity-providers/provider-input.ts';
import {
  validateResourceFormat,
  validateResourceTtl,
  validateScopeDescription,
} from '../resources-service.ts';
import { validateRoleName } from '../roles-service.ts';
import {
  validateBackchannelLogoutUri,
  validateName,
  validateRedirectUri,
  validateResourceIdentifier,
  validateScopeName,
  validateWebOrigin,
  validateWebUrl,
} from '../validation.ts';

/** Where a value sits in the file: keys and list indexes, `['clients', 2, 'redirect_uris', 0]`. */
export type DeclarationPath = ReadonlyArray<string | number>;

/** One thing wrong with the file, at `path`. */
export interface DeclarationProblem {
  path: DeclarationPath;
  message: string;
}

/** An API resource as the file declares it. */
export interface DeclaredApiResource {
  /** Its position in the file's `resources` list. */
  index: number;
  identifier: string;
  name: string;
  scopes: ScopeRecord[];
  /** Unset: the default of `resources create` (10 minutes). */
  accessTokenTtl?: TtlInput;
  /** Unset: the default of `resources create` (`jwt`). */
  accessTokenFormat?: string;
  /** Names of `scopes` declared `role_gated: true`. */
  roleGatedScopes: string[];
  rolesClaim: boolean;
}

/** A role as the file declares it. */
export interface DeclaredRole {
  /** Its position in the file's `roles` list. */
  index: number;
  /** The stable key the role is matched by (regardless of case). */
  name: string;
  description: string;
  /** `URI scope...`, as `roles create --scope` takes them. */
  scopes: string[];
}

/**
 * An identity provider as the file declares it: unset fields have the defaults of `idps create`.
 * Its client secret is never in the file: `clientSecretEnv` names the environment variable
 * `apply` reads it from.
 */
export interface DeclaredIdentityProvider {
  /** Its position in the file's `identity_providers` list. */
  index: number;
  /** The stable key the provider is matched by (regardless of case). */
  name: string;
  kind: 'oidc' | 'github';
  issuer?: string;
  authorizationEndpoint?: string;
  tokenEndpoint?: string;
  apiUrl?: string;
  clientId: string;
  clientSecretEnv: string;
  scope?: string;
  jit: boolean;
}

/** A client as the file declares it: unset fields have the defaults of `clients create`. */
export interface DeclaredClient {
  /** Its position in the file's `clients` list. */
  index: number;
  /** The stable key the client is matched by (regardless of case). */
  name: string;
  grants: string[];
  redirectUris: string[];
  webOrigins: string[];
  dpopBoundAccessTokens: boolean;
  requirePushedAuthorizationRequests: boolean;
  requireMfa: boolean;
  backchannelLogoutUri: string | null;
  backchannelLogoutSessionRequired: boolean;
  scopes: string[];
  resources: string[];
  /** Resources it may exchange a user's access token for (RFC 8693); unset: none. */
  mayExchangeFor: string[];
  public: boolean;
  /** Unset: a secret (`client_secret_basic`), or none for a public client. */
  authMethod: string | undefined;
  /** A `private_key_jwt` client's public keys, as a JWK Set in the file. */
  jwks: unknown;
  jwksUri: string | null;
  firstParty: boolean;
  homepage: string | null;
  logoUri: string | null;
  accessTokenTtl: TtlInput | null;
  refreshTokenTtl: TtlInput | null;
  /** Unset: a new client is enabled and an existing one keeps its state. */
  disabled?: boolean;
}

/** The entries of a file that passed the checks {@link parseDeclaration} makes. */
export interface Declaration {
  resources: DeclaredApiResource[];
  clients: DeclaredClient[];
  roles: DeclaredRole[];
  identityProviders: DeclaredIdentityProvider[];
  /**
   * Identifiers of resource entries that have problems: clients using them are not checked any
   * further, since their errors would only be consequences.
   */
  brokenResources: string[];
}

/** The top-level keys, and each entry's keys, a file may use. */
export const DECLARATION_KEYS = {
  file: ['resources', 'clients', 'roles', 'identity_providers'],
  identityProvider: [
    'name',
    'kind',
    'issuer',
    'authorization_endpoint',
    'token_endpoint',
    'api_url',
    'client_id',
    'client_secret_env',
    'scope',
    'jit',
  ],
  resource: [
    'identifier',
    'name',
    'scopes',
    'access_token_ttl',
    'access_token_format',
    'roles_claim',
  ],
  scope: ['name', 'description', 'role_gated'],
  role: ['name', 'description', 'scopes'],
  client: [
    'name',
    'grants',
    'redirect_uris',
    'web_origins',
    'dpop_bound_access_tokens',
    'require_pushed_authorization_requests',
    'require_mfa',
    'backchannel_logout_uri',
    'backchannel_logout_session_required',
    'scopes',
    'resources',
    'may_exchange_for',
    'public',
    'token_endpoint_auth_method',
    'jwks',
    'jwks_uri',
    'first_party',
    'homepage',
    'logo_uri',
    'access_token_ttl',
    'refresh_token_ttl',
    'disabled',
  ],
} as const;

type Json = Record<string, unknown>;
type Path = Array<string | number>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const describe = (value: unknown) =>
  value === null ? 'null' : Array.isArray(value) ? 'a list' : `a ${typeof value}`;

// Edit distance, to suggest the key a typo meant.
function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const next = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const substitution = (row[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      next.push(Math.min((row[j] ?? 0) + 1, (next[j - 1] ?? 0) + 1, substitution));
    }
    row = next;
  }
  return row[b.length] ?? 0;
}

/** `unknown key "redirect_uri" (did you mean "redirect_uris"?)`. */
function unknownKey(key: string, known: readonly string[]): string {
  const near = known
    .map((k) => ({ k, d: distance(key.toLowerCase(), k) }))
    .sort((x, y) => x.d - y.d)[0];
  const hint = near && near.d <= 3 ? ` (did you mean "${near.k}"?)` : '';
  return `unknown key "${key}"${hint}; allowed: ${known.join(', ')}`;
}

/** Collects problems while walking the document; each check returns undefined when it failed. */
function createChecker() {
  const problems: DeclarationProblem[] = [];
  const add = (path: DeclarationPath, message: string): undefined => {
    problems.push({ path: [...path], message });
    return undefined;
  };
  // The service validators' messages are neutral (they name the value, or read after the
  // field's name); the path says where it is.
  const validate = <T>(path: DeclarationPath, check: () => T): T | undefined => {
    try {
      return check();
    } catch (error) {
      if (error instanceof AuthServerError) return add(path, error.message);
      throw error;
    }
  };
  const object = (value: unknown, path: Path, keys: readonly string[]): Json | undefined => {
    if (!isObject(value)) return add(path, `must be a mapping of ${keys.join(', ')}`);
    // Unknown keys are problems; the known ones are still checked, to report everything at once.
    for (const key of Object.keys(value)) {
      if (!keys.includes(key)) add([...path, key], unknownKey(key, keys));
    }
    return value;
  };
  const string = (value: unknown, path: Path): string | undefined =>
    typeof value === 'string' ? value : add(path, `must be a string, not ${describe(value)}`);
  const boolean = (value: unknown, path: Path): boolean | undefined =>
    typeof value === 'boolean' ? value : add(path, `must be true or false, not ${describe(value)}`);
  const list = (value: unknown, path: Path): unknown[] | undefined =>
    Array.isArray(value) ? value : add(path, `must be a list, not ${describe(value)}`);
  // Every item checked (each problem reported); undefined when any failed.
  const strings = (
    value: unknown,
    path: Path,
    check: (item: string) => string = (item) => item,
  ): string[] | undefined => {
    const items = list(value, path);
    if (!items) return undefined;
    const checked = items.map((item, i) => {
      const text = string(item, [...path, i]);
      return text === undefined ? undefined : validate([...path, i], () => check(text));
    });
    return checked.every((item) => item !== undefined) ? (checked as string[]) : undefined;
  };
  const lifetime = (value: unknown, path: Path): TtlInput | undefined =>
    typeof value === 'string' || typeof value === 'number'
      ? value
      : add(path, `must be a number of seconds or a duration such as 15m, not ${describe(value)}`);
  return { problems, add, validate, object, string, boolean, list, strings, lifetime };
}

type Checker = ReturnType<typeof createChecker>;

// Absent keys take `fallback`; present ones must pass `check` (null is never "unset": a key
// written without a value is more likely an unfinished edit than a wish for the default).
function field<T>(entry: Json, key: string, path: Path, check: (v: unknown, p: Path) => T) {
  return key in entry ? { value: check(entry[key], [...path, key]) } : undefined;
}

type DeclaredScope = ScopeRecord & { roleGated: boolean };

function parseScopes(c: Checker, value: unknown, path: Path): DeclaredScope[] | undefined {
  const items = c.list(value, path);
  if (!items) return undefined;
  const seen = new Map<string, number>();
  const scopes = items.map((item, i): DeclaredScope | undefined => {
    const at = [...path, i];
    const scope = c.object(item, at, DECLARATION_KEYS.scope);
    if (!scope) return undefined;
    if (!('name' in scope)) return c.add(at, 'needs a name');
    if (!('description' in scope)) return c.add(at, 'needs a description (consent pages show it)');
    const rawName = c.string(scope.name, [...at, 'name']);
    const name =
      rawName === undefined
        ? undefined
        : c.validate([...at, 'name'], () => validateScopeName(rawName));
    if (name !== undefined && OIDC_SCOPES.includes(name)) {
      return c.add([...at, 'name'], `"${name}" is an OpenID scope, not a resource scope`);
    }
    if (name !== undefined && seen.has(name)) {
      const first = formatDeclarationPath([...path, seen.get(name) ?? 0]);
      return c.add([...at, 'name'], `scope "${name}" is declared twice (also ${first})`);
    }
    if (name !== undefined) seen.set(name, i);
    const rawDescription = c.string(scope.description, [...at, 'description']);
    const description =
      rawDescription === undefined
        ? undefined
        : c.validate([...at, 'description'], () =>
            validateScopeDescription(rawName ?? '', rawDescription),
          );
    const gated =
      'role_gated' in scope ? c.boolean(scope.role_gated, [...at, 'role_gated']) : false;
    return name === undefined || description === undefined || gated === undefined
      ? undefined
      : { name, description, roleGated: gated };
  });
  return scopes.every((s) => s !== undefined) ? (scopes as DeclaredScope[]) : undefined;
}

function parseResource(c: Checker, value: unknown, index: number): DeclaredApiResource | undefined {
  const path: Path = ['resources', index];
  const before = c.problems.length;
  const entry = c.object(value, path, DECLARATION_KEYS.resource);
  if (!entry) return undefined;
  for (const key of ['identifier', 'name'] as const) {
    if (!(key in entry)) c.add(path, `needs ${key === 'identifier' ? 'an' : 'a'} ${key}`);
  }
  const identifier = field(entry, 'identifier', path, (v, p) => {
    const text = c.string(v, p);
    return text === undefined ? undefined : c.validate(p, () => validateResourceIdentifier(text));
  })?.value;
  const name = field(entry, 'name', path, (v, p) => {
    const text = c.string(v, p);
    return text === undefined
      ? undefined
      : c.validate(p, () => validateName(text, 'resource name'));
  })?.value;
  const scopes = field(entry, 'scopes', path, (v, p) => parseScopes(c, v, p));
  const ttl = field(entry, 'access_token_ttl', path, (v, p) => {
    const value = c.lifetime(v, p);
    return value === undefined
      ? undefined
      : c.validate(p, () => validateResourceTtl(value) && value);
  });
  const format = field(entry, 'access_token_format', path, (v, p) => {
    const value = c.string(v, p);
    return value === undefined ? undefined : c.validate(p, () => validateResourceFormat(value));
  });
  const rolesClaim = field(entry, 'roles_claim', path, c.boolean);
  if (c.problems.length > before || identifier === undefined || name === undefined) {
    return undefined;
  }
  return {
    index,
    identifier,
    name,
    scopes: (scopes?.value ?? []).map(({ name, description }) => ({ name, description })),
    roleGatedScopes: (scopes?.value ?? []).filter((s) => s.roleGated).map((s) => s.name),
    rolesClaim: rolesClaim?.value ?? false,
    ...(ttl ? { accessTokenTtl: ttl.value as TtlInput } : {}),
    ...(format ? { accessTokenFormat: format.value as string } : {}),
  };
}

// A role's name, description and scopes; that the scopes exist is the roles service's check.
function parseRole(c: Checker, value: unknown, index: number): DeclaredRole | undefined {
  const path: Path = ['roles', index];
  const before = c.problems.length;
  const entry = c.object(value, path, DECLARATION_KEYS.role);
  if (!entry) return undefined;
  for (const key of ['name', 'scopes'] as const) {
    if (!(key in entry)) c.add(path, `needs ${key === 'name' ? 'a name' : 'scopes'}`);
  }
  const name = field(entry, 'name', path, (v, p) => {
    const text = c.string(v, p);
    return text === undefined ? undefined : c.validate(p, () => validateRoleName(text));
  })?.value;
  const description = field(entry, 'description', path, c.string);
  const scopes = field(entry, 'scopes', path, (v, p) => c.strings(v, p));
  if (scopes?.value?.length === 0) c.add([...path, 'scopes'], 'needs at least one "URI scope..."');
  if (c.problems.length > before || name === undefined || scopes?.value === undefined) {
    return undefined;
  }
  return { index, name, description: description?.value ?? '', scopes: scopes.value };
}

// An environment variable's name, as a shell would take it.
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

// A provider's fields; that they suit its kind (an issuer for OpenID Connect, endpoints for
// GitHub) is the identity providers service's check, as for `idps create`.
function parseIdentityProvider(
  c: Checker,
  value: unknown,
  index: number,
): DeclaredIdentityProvider | undefined {
  const path: Path = ['identity_providers', index];
  const before = c.problems.length;
  const entry = c.object(value, path, DECLARATION_KEYS.identityProvider);
  if (!entry) return undefined;
  if ('client_secret' in entry) {
    // Said plainly, rather than as one more unknown key.
    const unknown = c.problems.findLast((p) => p.path.at(-1) === 'client_secret');
    if (unknown) {
      unknown.message =
        'a secret is never written in the file: name the environment variable that holds it with client_secret_env';
    }
  }
  for (const key of ['name', 'client_id', 'client_secret_env'] as const) {
    if (!(key in entry)) c.add(path, `needs ${key === 'name' ? 'a name' : key}`);
  }
  const text = (check: (s: string) => string) => (v: unknown, p: Path) => {
    const s = c.string(v, p);
    return s === undefined ? undefined : c.validate(p, () => check(s));
  };
  const name = field(entry, 'name', path, text(validateProviderName))?.value;
  const kind = field(entry, 'kind', path, text(validateKind))?.value;
  const url = (key: string, what: string) =>
    field(
      entry,
      key,
      path,
      text((s) => validateProviderUrl(what, s)),
    )?.value;
  const issuer = url('issuer', 'issuer');
  const authorizationEndpoint = url('authorization_endpoint', 'authorization endpoint');
  const tokenEndpoint = url('token_endpoint', 'token endpoint');
  const apiUrl = url('api_url', 'API URL');
  const clientId = field(
    entry,
    'client_id',
    path,
    text((s) => validateCredential('clientId', s)),
  )?.value;
  const clientSecretEnv = field(
    entry,
    'client_secret_env',
    path,
    text((s) => {
      if (!ENV_NAME.test(s)) {
        throw new AuthServerError('invalid_input', `"${s}" is not an environment variable's name`);
      }
      return s;
    }),
  )?.value;
  const scope = field(entry, 'scope', path, c.string)?.value;
  const jit = field(entry, 'jit', path, c.boolean)?.value;
  if (
    c.problems.length > before ||
    name === undefined ||
    clientId === undefined ||
    clientSecretEnv === undefined
  ) {
    return undefined;
  }
  return {
    index,
    name,
    // validateKind let only these two through.
    kind: (kind as DeclaredIdentityProvider['kind'] | undefined) ?? 'oidc',
    ...(issuer === undefined ? {} : { issuer }),
    ...(authorizationEndpoint === undefined ? {} : { authorizationEndpoint }),
    ...(tokenEndpoint === undefined ? {} : { tokenEndpoint }),
    ...(apiUrl === undefined ? {} : { apiUrl }),
    clientId,
    clientSecretEnv,
    ...(scope === undefined ? {} : { scope }),
    jit: jit ?? false,
  };
}

function checkGrant(grant: string): string {
  const short = shortGrant(grant);
  if (!(SUPPORTED_GRANTS as readonly string[]).includes(short)) {
    throw new AuthServerError(
      'invalid_input',
      `unknown grant "${grant}" (supported: ${SUPPORTED_GRANTS.join(', ')})`,
    );
  }
  return short;
}

function parseClient(c: Checker, value: unknown, index: number): DeclaredClient | undefined {
  const path: Path = ['clients', index];
  const before = c.problems.length;
  const entry = c.object(value, path, DECLARATION_KEYS.client);
  if (!entry) return undefined;
  for (const key of ['name', 'grants'] as const) {
    if (!(key in entry)) c.add(path, `needs ${key === 'name' ? 'a name' : 'grants'}`);
  }
  const text = (check: (s: string) => string) => (v: unknown, p: Path) => {
    const s = c.string(v, p);
    return s === undefined ? undefined : c.validate(p, () => check(s));
  };
  const name = field(
    entry,
    'name',
    path,
    text((s) => validateName(s, 'client name')),
  )?.value;
  const grants = field(entry, 'grants', path, (v, p) => c.strings(v, p, checkGrant));
  if (grants?.value?.length === 0) c.add([...path, 'grants'], 'needs at least one grant');
  const redirectUris = field(entry, 'redirect_uris', path, (v, p) =>
    c.strings(v, p, validateRedirectUri),
  );
  const webOrigins = field(entry, 'web_origins', path, (v, p) =>
    c.strings(v, p, validateWebOrigin),
  );
  const scopes = field(entry, 'scopes', path, (v, p) => c.strings(v, p, validateScopeName));
  const resources = field(entry, 'resources', path, (v, p) =>
    c.strings(v, p, validateResourceIdentifier),
  );
  const mayExchangeFor = field(entry, 'may_exchange_for', path, (v, p) =>
    c.strings(v, p, validateResourceIdentifier),
  );
  const isPublic = field(entry, 'public', path, c.boolean);
  const firstParty = field(entry, 'first_party', path, c.boolean);
  const dpopBound = field(entry, 'dpop_bound_access_tokens', path, c.boolean);
  const requirePar = field(entry, 'require_pushed_authorization_requests', path, c.boolean);
  const requireMfa = field(entry, 'require_mfa', path, c.boolean);
  const logoutUri = field(
    entry,
    'backchannel_logout_uri',
    path,
    text(validateBackchannelLogoutUri),
  );
  const logoutSid = field(entry, 'backchannel_logout_session_required', path, c.boolean);
  const authMethod = field(entry, 'token_endpoint_auth_method', path, c.string);
  // The key set's own rules span the client (which method, which other key): the service checks it.
  const jwks = field(entry, 'jwks', path, (v) => v);
  const jwksUri = field(entry, 'jwks_uri', path, text(validateJwksUri));
  const homepage = field(
    entry,
    'homepage',
    path,
    text((s) => validateWebUrl(s, 'homepage')),
  );
  const logoUri = field(
    entry,
    'logo_uri',
    path,
    text((s) => validateWebUrl(s, 'logo URI')),
  );
  const lifetime =
    (field: string, limits: { min: number; max: number }) => (v: unknown, p: Path) => {
      const value = c.lifetime(v, p);
      return value === undefined
        ? undefined
        : c.validate(p, () => validateClientTtl(value, field, limits) && value);
    };
  const accessTokenTtl = field(
    entry,
    'access_token_ttl',
    path,
    lifetime('accessTokenTtl', CLIENT_TTL_LIMITS.accessToken),
  );
  const refreshTokenTtl = field(
    entry,
    'refresh_token_ttl',
    path,
    lifetime('refreshTokenTtl', CLIENT_TTL_LIMITS.refreshToken),
  );
  const disabled = field(entry, 'disabled', path, c.boolean);
  if (c.problems.length > before || name === undefined || grants?.value === undefined) {
    return undefined;
  }
  return {
    index,
    name,
    grants: grants.value,
    redirectUris: redirectUris?.value ?? [],
    webOrigins: webOrigins?.value ?? [],
    dpopBoundAccessTokens: dpopBound?.value ?? false,
    requirePushedAuthorizationRequests: requirePar?.value ?? false,
    requireMfa: requireMfa?.value ?? false,
    backchannelLogoutUri: logoutUri?.value ?? null,
    backchannelLogoutSessionRequired: logoutSid?.value ?? false,
    scopes: scopes?.value ?? [],
    resources: resources?.value ?? [],
    mayExchangeFor: mayExchangeFor?.value ?? [],
    public: isPublic?.value ?? false,
    authMethod: authMethod?.value,
    jwks: jwks?.value ?? null,
    jwksUri: jwksUri?.value ?? null,
    firstParty: firstParty?.value ?? false,
    homepage: homepage?.value ?? null,
    logoUri: logoUri?.value ?? null,
    accessTokenTtl: accessTokenTtl?.value ?? null,
    refreshTokenTtl: refreshTokenTtl?.value ?? null,
    ...(disabled?.value === undefined ? {} : { disabled: disabled.value }),
  };
}

// The same identifier, or the same name regardless of case, declared twice: the later one goes.
function dropDuplicates<T extends { index: number }>(
  c: Checker,
  entries: T[],
  list: string,
  keys: Array<{ field: string; of: (entry: T) => string }>,
): T[] {
  const kept: T[] = [];
  for (const entry of entries) {
    const twin = keys
      .map((key) => ({ key, other: kept.find((k) => key.of(k) === key.of(entry)) }))
      .find((found) => found.other !== undefined);
    if (twin?.other) {
      c.add(
        [list, entry.index, twin.key.field],
        `is declared twice${twin.key.field === 'name' ? ' (regardless of case)' : ''}: also ${list}[${twin.other.index}]`,
      );
    } else {
      kept.push(entry);
    }
  }
  return kept;
}

/**
 * Checks a declaration file's content (YAML or JSON, already parsed):
 * `{ resources: [{ identifier, name, scopes: [{ name, description }], access_token_ttl,
 * access_token_format }], clients: [{ name, grants, redirect_uris, scopes, resources, public,
 * may_exchange_for, token_endpoint_auth_method, jwks, jwks_uri, first_party, homepage, logo_uri,
 * access_token_ttl, refresh_token_ttl, disabled }] }`.
 * Every value goes through the validator `clients create` and `resources create` use, no key
 * may be unknown (a typo never becomes a silent default), and no client name, resource
 * identifier or resource name (regardless of case) may appear twice. Every problem is reported
 * with its path; the entries without problems are returned for {@link applyDeclaration} to check
 * against the database. The rules that span several fields are the services' own, checked there.
 *
 * @example
 * const { declaration, problems } = parseDeclaration(YAML.parse(text));
 * // problems: [{ path: ['clients', 2, 'redirect_uris', 0], message: 'redirect URI "..." must use https ...' }]
 */
export function parseDeclaration(value: unknown): {
  declaration: Declaration;
  problems: DeclarationProblem[];
} {
  const c = createChecker();
  const empty: Declaration = {
    resources: [],
    clients: [],
    roles: [],
    identityProviders: [],
    brokenResources: [],
  };
  if (value === null || value === undefined) {
    c.add([], 'the file is empty: declare resources and clients');
    return { declaration: empty, problems: c.problems };
  }
  const file = c.object(value, [], DECLARATION_KEYS.file);
  if (!file) return { declaration: empty, problems: c.problems };
  if (!DECLARATION_KEYS.file.some((key) => key in file)) {
    c.add([], 'declares nothing: give resources, clients, roles, identity_providers or several');
  }
  const resourceItems = 'resources' in file ? (c.list(file.resources, ['resources']) ?? []) : [];
  const clientItems = 'clients' in file ? (c.list(file.clients, ['clients']) ?? []) : [];

  const brokenResources: string[] = [];
  const resources: DeclaredApiResource[] = [];
  resourceItems.forEach((item, index) => {
    const resource = parseResource(c, item, index);
    if (resource) resources.push(resource);
    else if (isObject(item) && typeof item.identifier === 'string') {
      brokenResources.push(item.identifier);
    }
  });
  const clients = clientItems.flatMap((item, index) => parseClient(c, item, index) ?? []);
  const roleItems = 'roles' in file ? (c.list(file.roles, ['roles']) ?? []) : [];
  const roles = roleItems.flatMap((item, index) => parseRole(c, item, index) ?? []);
  const providerItems =
    'identity_providers' in file
      ? (c.list(file.identity_providers, ['identity_providers']) ?? [])
      : [];
  const identityProviders = providerItems.flatMap(
    (item, index) => parseIdentityProvider(c, item, index) ?? [],
  );
  return {
    declaration: {
      resources: dropDuplicates(c, resources, 'resources', [
        { field: 'identifier', of: (r) => r.identifier },
        { field: 'name', of: (r) => r.name.toLowerCase() },
      ]),
      clients: dropDuplicates(c, clients, 'clients', [
        { field: 'name', of: (client) => client.name.toLowerCase() },
      ]),
      roles: dropDuplicates(c, roles, 'roles', [
        { field: 'name', of: (role) => role.name.toLowerCase() },
      ]),
      identityProviders: dropDuplicates(c, identityProviders, 'identity_providers', [
        { field: 'name', of: (provider) => provider.name.toLowerCase() },
      ]),
      brokenResources,
    },
    problems: c.problems,
  };
}

/**
 * A path as people read it: `clients[2].redirect_uris[0]`; the whole file is `(file)`.
 *
 * @example
 * formatDeclarationPath(['clients', 2, 'redirect_uris', 0]); // 'clients[2].redirect_uris[0]'
 */
export function formatDeclarationPath(path: DeclarationPath): string {
  if (path.length === 0) return '(file)';
  return path
    .map((part, i) => (typeof part === 'number' ? `[${part}]` : i === 0 ? part : `.${part}`))
    .join('');
}
