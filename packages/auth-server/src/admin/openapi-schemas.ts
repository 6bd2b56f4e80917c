// The admin API's data shapes (OpenAPI 3.1, JSON Schema 2020-12), referenced by openapi.ts as
// `#/components/schemas/<name>`. Request bodies refuse unknown fields, so a typo is a 400 that
// names it, never a setting silently left out.

import { DOCTOR_SCHEMAS } from './doctor/doctor-schemas.ts';
import { pageOf } from './page-schema.ts';
import { TOKEN_SCHEMAS } from './tokens/token-schemas.ts';

const nullable = (type: string) => ({ type: [type, 'null'] });
const strings = { type: 'array', items: { type: 'string' } };
const lifetime = {
  description: 'A lifetime: seconds, or a duration such as 600, 10m, 1h',
  type: ['string', 'integer'],
};
const dateTime = { type: 'string', format: 'date-time' };
const disabledAt = {
  type: ['string', 'null'],
  format: 'date-time',
  description: 'when it was disabled; null while enabled',
};

const client = {
  type: 'object',
  description: 'A registered client (the shape of `portcullis clients show --json`)',
  required: [
    'client_id',
    'name',
    'grant_types',
    'redirect_uris',
    'scope',
    'resources',
    'public',
    'token_endpoint_auth_method',
    'first_party',
    'disabled',
    'disabled_at',
    'created_at',
    'updated_at',
  ],
  properties: {
    client_id: { type: 'string' },
    name: { type: 'string' },
    grant_types: strings,
    redirect_uris: strings,
    web_origins: strings,
    dpop_bound_access_tokens: { type: 'boolean' },
    require_pushed_authorization_requests: { type: 'boolean' },
    require_mfa: { type: 'boolean' },
    backchannel_logout_uri: nullable('string'),
    backchannel_logout_session_required: { type: 'boolean' },
    scope: { type: 'string', description: 'space-separated scopes' },
    resources: strings,
    may_exchange_for: strings,
    public: { type: 'boolean' },
    token_endpoint_auth_method: { type: 'string' },
    jwks: { type: ['object', 'null'] },
    jwks_uri: nullable('string'),
    first_party: { type: 'boolean' },
    homepage: nullable('string'),
    logo_uri: nullable('string'),
    access_token_ttl: nullable('integer'),
    refresh_token_ttl: nullable('integer'),
    registered_via: { enum: ['operator', 'dynamic'] },
    registration_token: nullable('string'),
    disabled: { type: 'boolean' },
    disabled_at: disabledAt,
    last_used_at: { type: ['string', 'null'], format: 'date-time' },
    created_at: dateTime,
    updated_at: dateTime,
  },
  additionalProperties: false,
};

const secret = {
  type: 'object',
  description: "One of a confidential client's secrets: never its value",
  required: ['id', 'name', 'created_at', 'expires_at', 'expired', 'last_used_at'],
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    created_at: dateTime,
    expires_at: { type: ['string', 'null'], format: 'date-time' },
    expired: { type: 'boolean' },
    last_used_at: { type: ['string', 'null'], format: 'date-time' },
  },
  additionalProperties: false,
};

// The settings create and update share; update also takes null to clear one.
const clientSettings = {
  name: { type: 'string' },
  grant_types: { ...strings, description: 'client_credentials, authorization_code, ...' },
  redirect_uris: strings,
  web_origins: strings,
  dpop_bound_access_tokens: { type: 'boolean' },
  require_pushed_authorization_requests: { type: 'boolean' },
  require_mfa: { type: 'boolean' },
  backchannel_logout_uri: { type: 'string' },
  backchannel_logout_session_required: { type: 'boolean' },
  scope: { type: 'string', description: 'space-separated scopes' },
  resources: strings,
  may_exchange_for: { ...strings, description: 'resources it may exchange tokens for (RFC 8693)' },
  public: { type: 'boolean' },
  token_endpoint_auth_method: { enum: ['client_secret_basic', 'private_key_jwt'] },
  jwks: { type: 'object', description: 'a JWK Set, for private_key_jwt' },
  jwks_uri: { type: 'string' },
  first_party: { type: 'boolean' },
  homepage: { type: 'string' },
  logo_uri: { type: 'string' },
  access_token_ttl: lifetime,
  refresh_token_ttl: lifetime,
};

const orNull = (schema: Record<string, unknown>) => ({ anyOf: [schema, { type: 'null' }] });
const CLEARABLE = [
  'redirect_uris',
  'web_origins',
  'backchannel_logout_uri',
  'scope',
  'resources',
  'may_exchange_for',
  'jwks',
  'jwks_uri',
  'homepage',
  'logo_uri',
  'access_token_ttl',
  'refresh_token_ttl',
];
const updateSettings = Object.fromEntries(
  Object.entries(clientSettings).map(([key, schema]) => [
    key,
    CLEARABLE.includes(key) ? orNull(schema) : schema,
  ]),
);

const signingKey = {
  type: 'object',
  description: 'A signing key and its schedule (the shape of `portcullis keys list --json`)',
  required: [
    'kid',
    'alg',
    'state',
    'age_seconds',
    'created_at',
    'activated_at',
    'retired_at',
    'activates_at',
    'removes_at',
  ],
  properties: {
    kid: { type: 'string' },
    alg: { type: 'string' },
    state: { enum: ['next', 'active', 'retired', 'removed'] },
    age_seconds: { type: 'integer' },
    created_at: dateTime,
    activated_at: { type: ['string', 'null'], format: 'date-time' },
    retired_at: { type: ['string', 'null'], format: 'date-time' },
    activates_at: { type: ['string', 'null'], format: 'date-time' },
    removes_at: { type: ['string', 'null'], format: 'date-time' },
  },
  additionalProperties: false,
};
const signingKeys = { type: 'array', items: { $ref: '#/components/schemas/SigningKey' } };

const scopeDefinition = {
  type: 'object',
  required: ['name', 'description'],
  properties: {
    name: { type: 'string' },
    description: { type: 'string', description: 'what consent pages show' },
  },
  additionalProperties: false,
};
const scopeDefinitions = { type: 'array', items: scopeDefinition };

const resource = {
  type: 'object',
  description: 'A registered API resource (the shape of `portcullis resources show --json`)',
  required: [
    'identifier',
    'name',
    'access_token_ttl',
    'access_token_format',
    'scopes',
    'introspection_clients',
    'role_gated_scopes',
    'roles_claim',
    'created_at',
  ],
  properties: {
    identifier: { type: 'string' },
    name: { type: 'string' },
    access_token_ttl: { type: 'integer' },
    access_token_format: { enum: ['jwt', 'opaque'] },
    scopes: scopeDefinitions,
    introspection_clients: strings,
    role_gated_scopes: strings,
    roles_claim: { type: 'boolean' },
    created_at: dateTime,
  },
  additionalProperties: false,
};

const clientRef = {
  type: 'object',
  required: ['client_id', 'name'],
  properties: { client_id: { type: 'string' }, name: { type: 'string' } },
  additionalProperties: false,
};

const user = {
  type: 'object',
  description: 'A user (the shape of `portcullis users show --json`): never a password or hash',
  required: [
    'id',
    'username',
    'email',
    'email_verified',
    'name',
    'disabled',
    'disabled_at',
    'roles',
    'created_at',
  ],
  properties: {
    id: { type: 'string' },
    username: { type: 'string' },
    email: nullable('string'),
    email_verified: { type: 'boolean' },
    name: nullable('string'),
    disabled: { type: 'boolean' },
    disabled_at: disabledAt,
    roles: { ...strings, description: 'the names of the roles they hold' },
    created_at: dateTime,
  },
  additionalProperties: false,
};

// A grant's fields, in a user's list (Grant) and across users (GrantListItem).
const GRANT_REQUIRED = [
  'grant_id',
  'client_id',
  'client_name',
  'scope',
  'resources',
  'granted_at',
  'expires_at',
];
const GRANT_PROPERTIES = {
  grant_id: { type: 'string' },
  client_id: { type: 'string' },
  client_name: { type: 'string' },
  scope: { type: 'string', description: 'space-separated scopes' },
  resources: {
    type: 'object',
    additionalProperties: { type: 'string' },
    description: 'scopes granted per resource',
  },
  granted_at: { type: ['string', 'null'], format: 'date-time' },
  expires_at: { type: ['string', 'null'], format: 'date-time' },
};

/** The schemas of `components.schemas`, by name. */
export const ADMIN_SCHEMAS = {
  ...DOCTOR_SCHEMAS,
  ...TOKEN_SCHEMAS,
  Problem: {
    type: 'object',
    description: 'RFC 9457 problem details',
    required: ['type', 'title', 'status', 'detail'],
    properties: {
      type: { type: 'string', format: 'uri' },
      title: { type: 'string' },
      status: { type: 'integer' },
      detail: { type: 'string' },
      error: { type: 'string', description: 'the RFC 6750 error code of a refused token' },
      errors: {
        type: 'array',
        items: {
          type: 'object',
          required: ['detail'],
          properties: {
            field: {
              type: 'string',
              description:
                'the body member (its top-level key) or query parameter at fault, for a form to show the message beside',
            },
            pointer: { type: 'string', description: 'JSON Pointer into the request body' },
            parameter: { type: 'string', description: 'the query parameter at fault' },
            detail: { type: 'string' },
          },
          additionalProperties: false,
        },
      },
    },
    additionalProperties: false,
  },
  Client: client,
  ClientWithSecrets: {
    type: 'object',
    required: ['client', 'secrets'],
    properties: {
      client: { $ref: '#/components/schemas/Client' },
      secrets: { type: 'array', items: { $ref: '#/components/schemas/Secret' } },
    },
    additionalProperties: false,
  },
  ClientPage: pageOf('Client'),
  Secret: secret,
  Resource: resource,
  ResourceWithClients: {
    type: 'object',
    required: ['resource', 'clients'],
    properties: {
      resource: { $ref: '#/components/schemas/Resource' },
      clients: { type: 'array', items: clientRef, description: 'the clients allowed it' },
    },
    additionalProperties: false,
  },
  ResourcePage: pageOf('Resource'),
  ResourceCreate: {
    type: 'object',
    required: ['identifier', 'name'],
    properties: {
      identifier: { type: 'string', description: 'an absolute https URI (RFC 8707)' },
      name: { type: 'string' },
      scopes: scopeDefinitions,
      access_token_ttl: lifetime,
      access_token_format: { enum: ['jwt', 'opaque'] },
      introspection_clients: strings,
      role_gated_scopes: strings,
      roles_claim: { type: 'boolean' },
    },
    additionalProperties: false,
  },
  ResourceUpdate: {
    type: 'object',
    description: 'what is given changes; scopes are added (or described anew) and removed by name',
    properties: {
      name: { type: 'string' },
      access_token_ttl: lifetime,
      access_token_format: { enum: ['jwt', 'opaque'] },
      introspection_clients: { ...strings, description: 'replaces the list' },
      put_scopes: { ...scopeDefinitions, description: 'scopes to add or describe anew' },
      remove_scopes: { ...strings, description: 'scope names to delete' },
      gate_scopes: { ...strings, description: 'scopes a user gets only through a role' },
      ungate_scopes: { ...strings, description: 'scopes taken out of role gating' },
      roles_claim: { type: 'boolean' },
    },
    additionalProperties: false,
  },
  User: user,
  UserPage: pageOf('User'),
  UserCreate: {
    type: 'object',
    required: ['username', 'password'],
    properties: {
      username: { type: 'string' },
      password: { type: 'string', description: '8 to 1024 characters; never shown again' },
      email: { type: 'string' },
      name: { type: 'string' },
    },
    additionalProperties: false,
  },
  UserUpdate: {
    type: 'object',
    description: 'a new address (unverified until its owner follows a link), or null: none',
    properties: { email: { type: ['string', 'null'] } },
    additionalProperties: false,
  },
  UserPassword: {
    type: 'object',
    required: ['password'],
    properties: { password: { type: 'string' } },
    additionalProperties: false,
  },
  UserRole: {
    type: 'object',
    required: ['role'],
    properties: { role: { type: 'string' } },
    additionalProperties: false,
  },
  UserUnlocked: {
    type: 'object',
    required: ['username', 'user_id', 'failures_cleared'],
    properties: {
      username: { type: 'string' },
      user_id: nullable('string'),
      failures_cleared: { type: 'integer' },
    },
    additionalProperties: false,
  },
  Grant: {
    type: 'object',
    description: "A user's grant to an app (the shape of `portcullis grants list --json`)",
    required: GRANT_REQUIRED,
    properties: GRANT_PROPERTIES,
    additionalProperties: false,
  },
  GrantPage: pageOf('Grant'),
  GrantListItem: {
    type: 'object',
    description:
      "A grant across users: a Grant with its user's id, and their username (null once they are gone) with admin:users",
    required: [...GRANT_REQUIRED, 'user_id'],
    properties: {
      ...GRANT_PROPERTIES,
      user_id: { type: 'string' },
      username: { type: ['string', 'null'], description: 'only with admin:users' },
    },
    additionalProperties: false,
  },
  GrantListPage: pageOf('GrantListItem'),
  GrantsRevoked: {
    type: 'object',
    required: ['revoked'],
    properties: { revoked: { type: 'integer', description: 'how many grants were revoked' } },
    additionalProperties: false,
  },
  AuditEvent: {
    type: 'object',
    description: 'One event of the audit trail (the shape of `portcullis audit list --json`)',
    required: ['id', 'occurred_at', 'type', 'actor', 'client_id', 'subject', 'address', 'details'],
    properties: {
      id: { type: 'string', description: 'increasing' },
      occurred_at: dateTime,
      type: { type: 'string' },
      actor: {
        type: 'string',
        description: 'cli:<user>, client:<id>, user:<id>, system, anonymous',
      },
      client_id: nullable('string'),
      subject: nullable('string'),
      address: nullable('string'),
      details: { type: 'object' },
    },
    additionalProperties: false,
  },
  AuditPage: pageOf('AuditEvent'),
  SigningKey: signingKey,
  SigningKeys: {
    type: 'object',
    required: ['items', 'now'],
    properties: {
      items: signingKeys,
      now: { ...dateTime, description: "the database's time the schedule was read at" },
    },
    additionalProperties: false,
  },
  KeyRotation: {
    type: 'object',
    description:
      'staged (the new keys sign after `propagation`) or, with `now`, at once (`revoke_old`: the old keys leave the JWKS at once)',
    properties: {
      algorithms: { type: 'array', items: { type: 'string' }, description: 'only these [all]' },
      propagation: { ...lifetime, description: 'from 1s to 30d [1h]; not with `now`' },
      now: { type: 'boolean' },
      revoke_old: { type: 'boolean', description: 'with `now` only' },
    },
    additionalProperties: false,
  },
  KeyRotated: {
    type: 'object',
    properties: {
      staged: signingKeys,
      propagation_seconds: { type: 'integer' },
      activated: signingKeys,
      replaced: signingKeys,
    },
    additionalProperties: false,
  },
  ApplyRequest: {
    type: 'object',
    required: ['declaration'],
    properties: {
      declaration: {
        type: 'object',
        description:
          'the declaration file as JSON (resources, clients, roles; see "Declarative registration" in docs/operators.md), checked by the same parser as `portcullis apply`',
      },
      prune: {
        type: 'boolean',
        description: 'delete what the declaration does not declare [false: report it]',
      },
      confirmed_deletions: {
        ...strings,
        description:
          "with prune: the plan's deletions, agreed to (409 if the apply would delete others)",
      },
    },
    additionalProperties: false,
  },
  ApplyResult: {
    type: 'object',
    description: 'the shape of `portcullis apply --json`',
    required: [
      'applied',
      'changed',
      'summary',
      'resources',
      'clients',
      'roles',
      'secrets',
      'deletions',
    ],
    properties: {
      applied: { type: 'boolean', description: 'false for a plan: nothing was written' },
      changed: { type: 'boolean' },
      summary: { type: 'object', additionalProperties: { type: 'integer' } },
      resources: { type: 'array', items: { type: 'object' } },
      clients: { type: 'array', items: { type: 'object' } },
      roles: { type: 'array', items: { type: 'object' } },
      identity_providers: { type: 'array', items: { type: 'object' } },
      secrets: {
        type: 'object',
        additionalProperties: { type: 'string' },
        description: 'new secrets by client name, shown only in this response',
      },
      deletions: { ...strings, description: 'what it deletes (or would delete, with prune)' },
    },
    additionalProperties: false,
  },
  ResourceUpdated: {
    type: 'object',
    required: ['resource', 'changed'],
    properties: {
      resource: { $ref: '#/components/schemas/Resource' },
      changed: { ...strings, description: 'what changed, as `resources update --json` says it' },
    },
    additionalProperties: false,
  },
  ResourceDeleted: {
    type: 'object',
    required: ['resource', 'detached_clients', 'revoked_tokens'],
    properties: {
      resource: { $ref: '#/components/schemas/Resource' },
      detached_clients: { ...strings, description: 'clients it was taken off (with force)' },
      revoked_tokens: { type: 'integer', description: 'stored tokens deleted with it' },
    },
    additionalProperties: false,
  },
  ClientCreate: {
    type: 'object',
    required: ['name', 'grant_types'],
    properties: clientSettings,
    additionalProperties: false,
  },
  ClientUpdate: {
    type: 'object',
    description: 'each field given replaces the stored one (lists included); null clears it',
    properties: updateSettings,
    additionalProperties: false,
  },
  ClientCreated: {
    type: 'object',
    required: ['client'],
    properties: {
      client: { $ref: '#/components/schemas/Client' },
      client_secret: { type: 'string', description: 'shown only in this response' },
    },
    additionalProperties: false,
  },
  ClientUpdated: {
    type: 'object',
    required: ['client', 'changed'],
    properties: {
      client: { $ref: '#/components/schemas/Client' },
      changed: strings,
      client_secret: { type: 'string', description: 'a new secret, when it turned confidential' },
    },
    additionalProperties: false,
  },
  SecretRotate: {
    type: 'object',
    properties: {
      keep_old: { ...lifetime, description: 'how long the other secrets keep working [24h]' },
      name: { type: 'string', description: "the new secret's name [secret-N]" },
    },
    additionalProperties: false,
  },
  SecretRotated: {
    type: 'object',
    required: ['client_id', 'secret', 'client_secret', 'expiring'],
    properties: {
      client_id: { type: 'string' },
      secret: { $ref: '#/components/schemas/Secret' },
      client_secret: { type: 'string', description: 'shown only in this response' },
      expiring: { type: 'array', items: { $ref: '#/components/schemas/Secret' } },
    },
    additionalProperties: false,
  },
} as const;
