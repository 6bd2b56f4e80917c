import { auditEventTypes } from '@portcullis/storage';
import { ADMIN_API_PATH, ADMIN_SCOPES } from '../domain/admin-api.ts';
import { ADMIN_SCHEMAS } from './openapi-schemas.ts';

// The admin API's OpenAPI 3.1 document, checked in and served at /admin/v1/openapi.json (with
// the issuer's absolute URLs). The routes (admin-routes.ts) take their request and response
// schemas from it by operationId, and a contract test holds the two together.

const ref = (name: keyof typeof ADMIN_SCHEMAS) => ({ $ref: `#/components/schemas/${name}` });
const json = (name: keyof typeof ADMIN_SCHEMAS) => ({
  content: { 'application/json': { schema: ref(name) } },
});
const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: ref('Problem') } },
});
const etagHeader = {
  ETag: { description: 'the version read; send it back in If-Match', schema: { type: 'string' } },
};
const ok = (description: string, name: keyof typeof ADMIN_SCHEMAS, etag = false) => ({
  description,
  ...(etag ? { headers: etagHeader } : {}),
  ...json(name),
});

// The refusals every protected operation may answer.
const refusals = {
  '401': problem('no access token, or one that is not valid (see WWW-Authenticate)'),
  '403': problem('the token lacks the scope the operation needs'),
  '503': problem('the database cannot be reached; retry after Retry-After'),
};
const withBody = { '400': problem('a malformed body, or values the service refuses') };
const found = { '404': problem('no such client') };
const conditional = {
  '412': problem('If-Match does not match: it changed since it was read'),
  '428': problem('If-Match is missing'),
};

const clientParameter = {
  name: 'client',
  in: 'path',
  required: true,
  description: 'the client id, or its name',
  schema: { type: 'string' },
};
const resourceParameter = {
  name: 'resource',
  in: 'path',
  required: true,
  description: 'the resource identifier, URL-encoded (https%3A%2F%2Fapi.example.com)',
  schema: { type: 'string' },
};
const pageParameters = [
  {
    name: 'limit',
    in: 'query',
    description: 'most items per page [50]',
    schema: { type: 'integer', minimum: 1, maximum: 200 },
  },
  {
    name: 'cursor',
    in: 'query',
    description: 'the next_cursor of the previous page',
    schema: { type: 'string' },
  },
];
// A search: a substring, in any case; bounded, as a LIKE pattern costs with its length.
const search = (description: string) => ({
  name: 'q',
  in: 'query',
  description: `only those with this text in ${description}, in any case; the same order and cursor`,
  schema: { type: 'string', minLength: 1, maxLength: 200 },
});
const userParameter = {
  name: 'user',
  in: 'path',
  required: true,
  description: 'the user id, or the username',
  schema: { type: 'string' },
};
const noUser = { '404': problem('no such user') };
const ifMatch = {
  name: 'If-Match',
  in: 'header',
  required: true,
  description: 'the ETag of the last read: the change is refused (412) if it changed since',
  schema: { type: 'string' },
};
const security = (scope: string) => [{ portcullis: [scope] }];

// What every protected operation may answer besides its own: a query parameter it does not take
// (or a bad one), and for one with a body, a body that is not JSON or is too large
// (read-json-body.ts). Added where an operation does not say it in its own words.
const queryProblem = problem('an unknown or malformed query parameter');
const bodyProblems = {
  '413': problem('a body over 64 KiB'),
  '415': problem('a body that is not application/json'),
};

interface DocumentedOperation {
  security?: readonly unknown[];
  requestBody?: unknown;
  responses: Record<string, unknown>;
}

function withCommonProblems<const T extends Record<string, Record<string, unknown>>>(paths: T): T {
  const complete = (operation: DocumentedOperation): DocumentedOperation => {
    if (!operation.security?.length) return operation;
    const responses = { '400': queryProblem, ...operation.responses };
    return {
      ...operation,
      responses: operation.requestBody ? { ...responses, ...bodyProblems } : responses,
    };
  };
  return Object.fromEntries(
    Object.entries(paths).map(([path, item]) => [
      path,
      Object.fromEntries(
        Object.entries(item).map(([key, value]) => [
          key,
          key === 'parameters' ? value : complete(value as DocumentedOperation),
        ]),
      ),
    ]),
  ) as T;
}

/** The admin API's OpenAPI 3.1 document as checked in: server and token URLs relative. */
export const OPENAPI_DOCUMENT = {
  openapi: '3.1.0',
  info: {
    title: 'Portcullis admin API',
    version: '1.0.0',
    description:
      'Administers a Portcullis authorization server with the services the CLI uses: the same validation, the same audit events (the actor is the calling client or user). See docs/admin-api.md.',
  },
  servers: [{ url: ADMIN_API_PATH }],
  components: {
    securitySchemes: {
      portcullis: {
        type: 'oauth2',
        description:
          'Access tokens of this server for the resource urn:portcullis:admin, as Bearer or DPoP (RFC 9449)',
        flows: {
          clientCredentials: {
            tokenUrl: '/token',
            scopes: Object.fromEntries(ADMIN_SCOPES.map((s) => [s.name, s.description])),
          },
        },
      },
    },
    schemas: ADMIN_SCHEMAS,
  },
  paths: withCommonProblems({
    '/openapi.json': {
      get: {
        operationId: 'getOpenApiDocument',
        summary: 'This document',
        security: [],
        responses: {
          '200': { description: 'the OpenAPI 3.1 document', content: { 'application/json': {} } },
        },
      },
    },
    '/clients': {
      get: {
        operationId: 'listClients',
        summary: 'List clients, by name (`clients list`)',
        security: security('admin:read'),
        parameters: [
          {
            name: 'limit',
            in: 'query',
            description: 'most clients per page [50]',
            schema: { type: 'integer', minimum: 1, maximum: 200 },
          },
          {
            name: 'cursor',
            in: 'query',
            description: 'the next_cursor of the previous page',
            schema: { type: 'string' },
          },
          {
            name: 'registered',
            in: 'query',
            description: 'only clients registered this way',
            schema: { enum: ['operator', 'dynamic'] },
          },
          search('their name or client id'),
        ],
        responses: {
          '200': ok('a page of clients', 'ClientPage'),
          '400': problem('a bad limit, cursor or filter'),
          ...refusals,
        },
      },
      post: {
        operationId: 'createClient',
        summary:
          'Register a client (`clients create`); a confidential one gets a secret, shown once',
        security: security('admin:write'),
        requestBody: { required: true, ...json('ClientCreate') },
        responses: {
          '201': {
            description: 'registered; Location names it',
            headers: {
              ...etagHeader,
              Location: { schema: { type: 'string' }, description: 'the client' },
            },
            ...json('ClientCreated'),
          },
          ...withBody,
          '409': problem('the name is taken'),
          ...refusals,
        },
      },
    },
    '/clients/{client}': {
      parameters: [clientParameter],
      get: {
        operationId: 'getClient',
        summary: 'A client and its secrets (`clients show`, `clients secrets`)',
        security: security('admin:read'),
        responses: { '200': ok('the client', 'ClientWithSecrets', true), ...found, ...refusals },
      },
      patch: {
        operationId: 'updateClient',
        summary: 'Change a client (`clients update`)',
        security: security('admin:write'),
        parameters: [ifMatch],
        requestBody: { required: true, ...json('ClientUpdate') },
        responses: {
          '200': ok('changed (or nothing to change)', 'ClientUpdated', true),
          ...withBody,
          ...found,
          '409': problem('the name is taken'),
          ...conditional,
          ...refusals,
        },
      },
      delete: {
        operationId: 'deleteClient',
        summary: 'Delete a client with its secrets, tokens and grants (`clients delete`)',
        security: security('admin:write'),
        parameters: [ifMatch],
        responses: { '204': { description: 'deleted' }, ...found, ...conditional, ...refusals },
      },
    },
    '/clients/{client}/disable': {
      parameters: [clientParameter],
      post: {
        operationId: 'disableClient',
        summary: 'Disable a client (`clients disable`)',
        security: security('admin:write'),
        parameters: [ifMatch],
        responses: { '200': ok('disabled', 'Client', true), ...found, ...conditional, ...refusals },
      },
    },
    '/clients/{client}/enable': {
      parameters: [clientParameter],
      post: {
        operationId: 'enableClient',
        summary: 'Enable a disabled client (`clients enable`)',
        security: security('admin:write'),
        parameters: [ifMatch],
        responses: { '200': ok('enabled', 'Client', true), ...found, ...conditional, ...refusals },
      },
    },
    '/clients/{client}/secrets': {
      parameters: [clientParameter],
      post: {
        operationId: 'rotateClientSecret',
        summary:
          'Add a secret, shown once; the others expire after keep_old (`clients rotate-secret`)',
        security: security('admin:write'),
        parameters: [ifMatch],
        requestBody: { required: false, ...json('SecretRotate') },
        responses: {
          '201': ok('the new secret', 'SecretRotated', true),
          ...withBody,
          ...found,
          ...conditional,
          ...refusals,
        },
      },
    },
    '/resources': {
      get: {
        operationId: 'listResources',
        summary: 'List API resources, by name (`resources list`)',
        security: security('admin:read'),
        parameters: [...pageParameters, search('their name or identifier')],
        responses: {
          '200': ok('a page of resources', 'ResourcePage'),
          '400': problem('a bad limit, cursor or search'),
          ...refusals,
        },
      },
      post: {
        operationId: 'createResource',
        summary: 'Register an API resource with its scopes (`resources create`)',
        security: security('admin:write'),
        requestBody: { required: true, ...json('ResourceCreate') },
        responses: {
          '201': {
            description: 'registered; Location names it',
            headers: {
              ...etagHeader,
              Location: { schema: { type: 'string' }, description: 'the resource' },
            },
            ...json('Resource'),
          },
          ...withBody,
          '409': problem('the identifier or the name is taken'),
          ...refusals,
        },
      },
    },
    '/resources/{resource}': {
      parameters: [resourceParameter],
      get: {
        operationId: 'getResource',
        summary: 'A resource and the clients allowed it (`resources show`)',
        security: security('admin:read'),
        responses: {
          '200': ok('the resource', 'ResourceWithClients', true),
          '404': problem('no such resource'),
          ...refusals,
        },
      },
      patch: {
        operationId: 'updateResource',
        summary: 'Change a resource and its scopes (`resources update`)',
        security: security('admin:write'),
        parameters: [ifMatch],
        requestBody: { required: true, ...json('ResourceUpdate') },
        responses: {
          '200': ok('changed (or nothing to change)', 'ResourceUpdated', true),
          ...withBody,
          '404': problem('no such resource'),
          '409': problem('the name is taken'),
          ...conditional,
          ...refusals,
        },
      },
      delete: {
        operationId: 'deleteResource',
        summary:
          'Delete a resource with its scopes and stored tokens (`resources delete`); while clients are allowed it, only with force=true',
        security: security('admin:write'),
        parameters: [
          ifMatch,
          {
            name: 'force',
            in: 'query',
            description: 'take it off the clients allowed it [false]',
            schema: { type: 'boolean' },
          },
        ],
        responses: {
          '200': ok('deleted', 'ResourceDeleted'),
          '404': problem('no such resource'),
          '409': problem('clients are allowed it (and force is not set)'),
          ...conditional,
          ...refusals,
        },
      },
    },
    '/users': {
      get: {
        operationId: 'listUsers',
        summary: 'List users, by username (`users list`); personal data: admin:users',
        security: security('admin:users'),
        parameters: [...pageParameters, search('their username, name or email')],
        responses: {
          '200': ok('a page of users', 'UserPage'),
          '400': problem('a bad limit, cursor or search'),
          ...refusals,
        },
      },
      post: {
        operationId: 'createUser',
        summary: 'Create a user with a password (`users create`)',
        security: security('admin:users'),
        requestBody: { required: true, ...json('UserCreate') },
        responses: {
          '201': {
            description: 'created; Location names them',
            headers: {
              ...etagHeader,
              Location: { schema: { type: 'string' }, description: 'the user' },
            },
            ...json('User'),
          },
          ...withBody,
          '409': problem('the username is taken'),
          ...refusals,
        },
      },
    },
    '/users/{user}': {
      parameters: [userParameter],
      get: {
        operationId: 'getUser',
        summary: 'A user and their roles (`users show`)',
        security: security('admin:users'),
        responses: { '200': ok('the user', 'User', true), ...noUser, ...refusals },
      },
      patch: {
        operationId: 'updateUser',
        summary: "Change a user's address (`users update --email`, `--no-email`)",
        security: security('admin:users'),
        parameters: [ifMatch],
        requestBody: { required: true, ...json('UserUpdate') },
        responses: {
          '200': ok('changed', 'User', true),
          ...withBody,
          ...noUser,
          ...conditional,
          ...refusals,
        },
      },
      delete: {
        operationId: 'deleteUser',
        summary: 'Delete a user with every session, grant and token (`users delete`)',
        security: security('admin:users'),
        parameters: [ifMatch],
        responses: { '204': { description: 'deleted' }, ...noUser, ...conditional, ...refusals },
      },
    },
    '/users/{user}/password': {
      parameters: [userParameter],
      put: {
        operationId: 'setUserPassword',
        summary: "Replace a user's password (`users set-password`)",
        security: security('admin:users'),
        parameters: [ifMatch],
        requestBody: { required: true, ...json('UserPassword') },
        responses: {
          '200': ok('set', 'User', true),
          ...withBody,
          ...noUser,
          ...conditional,
          ...refusals,
        },
      },
    },
    '/users/{user}/disable': {
      parameters: [userParameter],
      post: {
        operationId: 'disableUser',
        summary: 'Disable a user and end their sessions and grants (`users disable`)',
        security: security('admin:users'),
        parameters: [ifMatch],
        responses: { '200': ok('disabled', 'User', true), ...noUser, ...conditional, ...refusals },
      },
    },
    '/users/{user}/enable': {
      parameters: [userParameter],
      post: {
        operationId: 'enableUser',
        summary: 'Let a disabled user sign in again (`users enable`)',
        security: security('admin:users'),
        parameters: [ifMatch],
        responses: { '200': ok('enabled', 'User', true), ...noUser, ...conditional, ...refusals },
      },
    },
    '/users/{user}/unlock': {
      parameters: [userParameter],
      post: {
        operationId: 'unlockUser',
        summary:
          'Forget the failed sign-ins counted for a username, lifting its lockout (`users unlock`)',
        security: security('admin:users'),
        responses: { '200': ok('unlocked', 'UserUnlocked'), ...refusals },
      },
    },
    '/users/{user}/roles': {
      parameters: [userParameter],
      post: {
        operationId: 'addUserRole',
        summary: 'Give a user a role (`users add-role`)',
        security: security('admin:users'),
        parameters: [ifMatch],
        requestBody: { required: true, ...json('UserRole') },
        responses: {
          '200': ok('they hold it', 'User', true),
          '400': problem('a malformed body, or no role of that name (`errors[].field`: `role`)'),
          '404': problem('no such user'),
          ...conditional,
          ...refusals,
        },
      },
    },
    '/users/{user}/roles/{role}': {
      parameters: [
        userParameter,
        { name: 'role', in: 'path', required: true, schema: { type: 'string' } },
      ],
      delete: {
        operationId: 'removeUserRole',
        summary: 'Take a role from a user (`users remove-role`)',
        security: security('admin:users'),
        parameters: [ifMatch],
        responses: {
          '200': ok('they no longer hold it', 'User', true),
          '404': problem('no such user or role'),
          ...conditional,
          ...refusals,
        },
      },
    },
    '/users/{user}/grants': {
      parameters: [userParameter],
      get: {
        operationId: 'listUserGrants',
        summary: "A user's grants to apps, the newest first (`grants list --user`)",
        security: security('admin:users'),
        parameters: pageParameters,
        responses: {
          '200': ok('a page of grants', 'GrantPage'),
          '400': problem('a bad limit or cursor'),
          ...noUser,
          ...refusals,
        },
      },
      delete: {
        operationId: 'revokeUserGrants',
        summary:
          "Revoke a user's grants, or only those to one client, with every token issued from them (`grants revoke --user [--client]`)",
        security: security('admin:write'),
        parameters: [
          {
            name: 'client',
            in: 'query',
            description: 'only the grants to this client (its id)',
            schema: { type: 'string' },
          },
        ],
        responses: { '200': ok('revoked', 'GrantsRevoked'), ...noUser, ...refusals },
      },
    },
    '/grants': {
      get: {
        operationId: 'listGrants',
        summary:
          "Users' grants to apps, the newest first, filtered and searched; usernames (shown, searched, accepted in user) only with admin:users besides admin:read",
        security: security('admin:read'),
        parameters: [
          {
            name: 'user',
            in: 'query',
            description: "only this user's grants: their id (or username, with admin:users)",
            schema: { type: 'string', minLength: 1, maxLength: 200 },
          },
          {
            name: 'client',
            in: 'query',
            description: 'only the grants to this client (its id)',
            schema: { type: 'string', minLength: 1, maxLength: 200 },
          },
          search("the client's name or id (or the username, with admin:users)"),
          ...pageParameters,
        ],
        responses: {
          '200': ok('a page of grants', 'GrantListPage'),
          '400': problem('a bad filter, limit or cursor'),
          ...refusals,
        },
      },
    },
    '/grants/{grant}': {
      parameters: [{ name: 'grant', in: 'path', required: true, schema: { type: 'string' } }],
      delete: {
        operationId: 'revokeGrant',
        summary: 'Revoke one grant with every token issued from it (`grants revoke --grant`)',
        security: security('admin:write'),
        responses: {
          '200': ok('revoked', 'GrantsRevoked'),
          '404': problem('no such grant'),
          ...refusals,
        },
      },
    },
    '/audit': {
      get: {
        operationId: 'listAuditEvents',
        summary:
          'The audit trail, filtered and paged: oldest first (`audit tail` follows it with `after`), or the latest first (`audit list --since --type --client`)',
        security: security('admin:read'),
        parameters: [
          {
            name: 'since',
            in: 'query',
            description: 'only events at or after this time',
            schema: { type: 'string', format: 'date-time' },
          },
          {
            name: 'type',
            in: 'query',
            description: 'only events of this type',
            schema: { enum: [...auditEventTypes] },
          },
          {
            name: 'client',
            in: 'query',
            description: 'only events about this client (its id)',
            schema: { type: 'string' },
          },
          {
            name: 'after',
            in: 'query',
            description:
              'only events after the one with this id, oldest first (to follow the trail)',
            schema: { type: 'string', pattern: '^[0-9]{1,19}$' },
          },
          {
            name: 'order',
            in: 'query',
            description: 'oldest (first) or newest (first: the latest events, paged back) [oldest]',
            schema: { enum: ['oldest', 'newest'] },
          },
          ...pageParameters,
        ],
        responses: {
          '200': ok('a page of events', 'AuditPage'),
          '400': problem('a bad filter, limit or cursor'),
          ...refusals,
        },
      },
    },
    '/keys': {
      get: {
        operationId: 'listSigningKeys',
        summary: 'The signing keys and their schedule (`keys list`); never a private part',
        security: security('admin:read'),
        responses: { '200': ok('the keys', 'SigningKeys'), ...refusals },
      },
    },
    '/keys/rotations': {
      post: {
        operationId: 'rotateSigningKeys',
        summary: 'A staged rotation, or with now=true an emergency one (`keys rotate [--now]`)',
        security: security('admin:keys'),
        requestBody: { required: false, ...json('KeyRotation') },
        responses: {
          '201': ok('staged, or signing now', 'KeyRotated'),
          ...withBody,
          '409': problem('a staged key is still waiting'),
          ...refusals,
        },
      },
    },
    '/apply/plan': {
      post: {
        operationId: 'planDeclaration',
        summary: 'What applying a declaration would change, writing nothing (`apply --plan`)',
        security: security('admin:read'),
        requestBody: { required: true, ...json('ApplyRequest') },
        responses: {
          '200': ok('the plan', 'ApplyResult'),
          '400': problem("the declaration's problems, each with its pointer"),
          ...refusals,
        },
      },
    },
    '/apply': {
      post: {
        operationId: 'applyDeclaration',
        summary:
          'Bring the registration to a declaration in one transaction (`apply`); with prune, only the deletions a plan showed',
        security: security('admin:write'),
        requestBody: { required: true, ...json('ApplyRequest') },
        responses: {
          '200': ok('applied', 'ApplyResult'),
          '400': problem("the declaration's problems, each with its pointer: nothing applied"),
          '409': problem('with prune: it would delete other things than the plan showed'),
          ...refusals,
        },
      },
    },
    '/tokens': {
      get: {
        operationId: 'listTokens',
        summary:
          'The operator-issued tokens still valid, newest first (`tokens list`): grant, client, user, scope, resource, times, issuer; never a token',
        security: security('admin:read'),
        parameters: pageParameters,
        responses: {
          '200': ok('a page of tokens', 'OperatorTokenPage'),
          '400': problem('a bad limit or cursor'),
          ...refusals,
        },
      },
      post: {
        operationId: 'issueToken',
        summary:
          'Issue an opaque API token, shown once (`tokens issue`); for a user, admin:users is needed besides admin:write',
        security: security('admin:write'),
        requestBody: { required: true, ...json('TokenIssue') },
        responses: {
          '201': ok('the token: store it now', 'TokenIssued'),
          '400': problem(
            'a malformed body, values the service refuses, or an unknown client, user or resource (errors[].field names it)',
          ),
          ...refusals,
        },
      },
    },
    '/tokens/{grant}': {
      parameters: [
        {
          name: 'grant',
          in: 'path',
          required: true,
          description: 'the grant_id the token was issued with',
          schema: { type: 'string' },
        },
      ],
      delete: {
        operationId: 'revokeToken',
        summary:
          'Revoke a token by its grant, with everything issued from that grant (`tokens revoke --grant`)',
        security: security('admin:write'),
        responses: {
          '200': ok('revoked', 'TokensRevoked'),
          '404': problem('no such grant'),
          ...refusals,
        },
      },
    },
    '/doctor': {
      get: {
        operationId: 'getDoctorReport',
        summary:
          "The doctor's findings on this server's configuration and database (`doctor --json`); client-registered URLs are not reached",
        security: security('admin:read'),
        responses: { '200': ok('the findings', 'DoctorReport'), ...refusals },
      },
    },
    '/clients/{client}/secrets/{secret}': {
      parameters: [
        clientParameter,
        {
          name: 'secret',
          in: 'path',
          required: true,
          description: "the secret's name",
          schema: { type: 'string' },
        },
      ],
      delete: {
        operationId: 'removeClientSecret',
        summary:
          "Delete one secret's hash; If-Match stands for the CLI's confirmation (`clients remove-secret`)",
        security: security('admin:write'),
        parameters: [ifMatch],
        responses: {
          '200': ok('removed', 'Secret', true),
          '400': problem('a public client has no secrets'),
          ...found,
          ...conditional,
          ...refusals,
        },
      },
    },
  }),
} as const;

/**
 * The document as served: the server and token URLs made absolute on the issuer.
 *
 * @example
 * servedDocument('https://auth.example.com').servers; // [{ url: 'https://auth.example.com/admin/v1' }]
 */
export function servedDocument(issuer: string) {
  const { clientCredentials } = OPENAPI_DOCUMENT.components.securitySchemes.portcullis.flows;
  return {
    ...OPENAPI_DOCUMENT,
    servers: [{ url: `${issuer}${ADMIN_API_PATH}` }],
    components: {
      ...OPENAPI_DOCUMENT.components,
      securitySchemes: {
        portcullis: {
          ...OPENAPI_DOCUMENT.components.securitySchemes.portcullis,
          flows: { clientCredentials: { ...clientCredentials, tokenUrl: `${issuer}/token` } },
        },
      },
    },
  };
}
