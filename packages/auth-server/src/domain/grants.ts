/** RFC 8628's grant type. */
export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

/** Grant types a client can be registered for (`device_code` stands for RFC 8628's URN). */
export const SUPPORTED_GRANTS = [
  'client_credentials',
  'authorization_code',
  'refresh_token',
  'device_code',
] as const;

/**
 * A grant type as operators write it: `device_code` for RFC 8628's URN, others as they are.
 *
 * @example
 * shortGrant('urn:ietf:params:oauth:grant-type:device_code'); // 'device_code'
 */
export const shortGrant = (grant: string) => (grant === DEVICE_CODE_GRANT ? 'device_code' : grant);

/**
 * A grant type as it is stored and as oidc-provider knows it: the inverse of {@link shortGrant}.
 *
 * @example
 * storedGrant('device_code'); // 'urn:ietf:params:oauth:grant-type:device_code'
 */
export const storedGrant = (grant: string) => (grant === 'device_code' ? DEVICE_CODE_GRANT : grant);

/** RFC 8693's grant type: token exchange, offered for delegation only (docs/security.md). */
export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';

/** RFC 8693 §3's token type of an access token: the only type exchanged and issued. */
export const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
