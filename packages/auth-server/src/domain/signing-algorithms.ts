/** The algorithms we sign with: ES256 for access tokens, RS256 for ID tokens' baseline. */
export const SIGNING_ALGORITHMS = ['ES256', 'RS256'] as const;

/** One of {@link SIGNING_ALGORITHMS}. */
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];

/**
 * The algorithms a `private_key_jwt` client may sign its assertions with (RFC 7523): ECDSA P-256,
 * RSA-PSS and Ed25519, the last under both its names (`EdDSA`, and `Ed25519` from RFC 9864, which
 * openid-client sends). RS256 (PKCS#1 v1.5) is left out as FAPI 2.0 requires, and every HS*
 * algorithm, which would need the client's secret in clear.
 */
export const CLIENT_ASSERTION_ALGORITHMS = ['ES256', 'PS256', 'EdDSA', 'Ed25519'] as const;
