/** Rows per DELETE statement [1000]: short statements, short locks. */
export const DEFAULT_PURGE_BATCH = 1000;

/**
 * How long a consumed artifact is kept before the janitor may delete it [1 day]. A rotated
 * refresh token stays until then so that its reuse is recognised (and revokes the grant);
 * afterwards a reuse is still refused, as an unknown token.
 */
export const DEFAULT_CONSUMED_MARGIN_SECONDS = 86_400;
