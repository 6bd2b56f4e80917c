// Operator tokens' data shapes in the admin API's OpenAPI document (openapi-schemas.ts adds them
// to `components.schemas`): what `tokens issue` takes and prints, what `tokens list` and
// `tokens revoke` print.

import { pageOf } from '../page-schema.ts';

/** The operator tokens' schemas, by name. */
export const TOKEN_SCHEMAS = {
  TokenIssue: {
    type: 'object',
    description:
      'An opaque, introspectable, revocable API token for a client, acting for itself or (with `user`, which needs admin:users too) for a user',
    required: ['client', 'scope', 'resource'],
    properties: {
      client: { type: 'string', description: 'client id or name the token is issued to' },
      user: { type: 'string', description: 'user id or username the token acts for' },
      scope: {
        type: 'string',
        description: "space-separated scopes: the resource's, allowed to the client",
      },
      resource: { type: 'string', description: 'the resource (audience) the token is for' },
      ttl: {
        type: ['string', 'integer'],
        description:
          'lifetime: seconds, or a duration such as 12h or 90d; 1 minute to 365 days [90d]',
      },
    },
    additionalProperties: false,
  },
  TokenIssued: {
    type: 'object',
    description: 'The token, shown only here (RFC 6749 token response names)',
    required: [
      'access_token',
      'token_type',
      'expires_in',
      'expires_at',
      'scope',
      'resource',
      'client_id',
      'sub',
      'grant_id',
    ],
    properties: {
      access_token: { type: 'string' },
      token_type: { const: 'Bearer' },
      expires_in: { type: 'integer' },
      expires_at: { type: 'string', format: 'date-time' },
      scope: { type: 'string' },
      resource: { type: 'string' },
      client_id: { type: 'string' },
      sub: { type: ['string', 'null'], description: 'the user id; null for the client itself' },
      grant_id: { type: 'string', description: 'DELETE /tokens/{grant} revokes it' },
    },
    additionalProperties: false,
  },
  OperatorToken: {
    type: 'object',
    description:
      'An operator-issued token still valid (`tokens list --json`): what was recorded of it, never the token',
    required: [
      'grant_id',
      'client_id',
      'client_name',
      'sub',
      'scope',
      'resource',
      'issued_at',
      'expires_at',
      'issued_by',
    ],
    properties: {
      grant_id: { type: 'string', description: 'DELETE /tokens/{grant} revokes it' },
      client_id: { type: 'string' },
      client_name: { type: ['string', 'null'] },
      sub: { type: ['string', 'null'], description: 'the user id; null for the client itself' },
      scope: { type: 'string', description: 'space-separated scopes' },
      resource: { type: 'string', description: 'the resource (audience) it is for' },
      issued_at: { type: 'string', format: 'date-time' },
      expires_at: { type: ['string', 'null'], format: 'date-time' },
      issued_by: {
        type: ['string', 'null'],
        description:
          "the audit actor that issued it (`cli:<user>`, `client:<id>`, `user:<id>`); null once the audit trail's token.issued is purged",
      },
    },
    additionalProperties: false,
  },
  OperatorTokenPage: pageOf('OperatorToken'),
  TokensRevoked: {
    type: 'object',
    required: ['revoked', 'total'],
    properties: {
      revoked: {
        type: 'object',
        description: 'artifacts deleted, by model (Grant, AccessToken, ...)',
        additionalProperties: { type: 'integer' },
      },
      total: { type: 'integer' },
    },
    additionalProperties: false,
  },
} as const;
