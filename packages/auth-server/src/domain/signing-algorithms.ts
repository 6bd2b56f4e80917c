/** The algorithms we sign with: ES256 for access tokens, RS256 for ID tokens' baseline. */
export const SIGNING_ALGORITHMS = ['ES256', 'RS256'] as const;

/** One of {@link SIGNING_ALGORITHMS}. */
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];
