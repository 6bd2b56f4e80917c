/**
 * Where the revocation feed is served (routes/revocation-feed.ts), on the issuer's origin;
 * discovery names it as `revocation_feed_endpoint`.
 */
export const REVOCATION_FEED_PATH = '/revocations';
