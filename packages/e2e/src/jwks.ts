/**
 * The `kid` in a JWT's header.
 *
 * @example
 * kidOf(tokens.access_token); // 'k1a2b3...'
 */
export const kidOf = (jwt: string): string =>
  (JSON.parse(Buffer.from(jwt.split('.')[0] ?? '', 'base64url').toString()) as { kid: string }).kid;

/**
 * The kids of the keys `origin` publishes at /jwks.
 *
 * @example
 * (await jwksKids('http://127.0.0.1:3000')).includes(kid);
 */
export const jwksKids = async (origin: string): Promise<string[]> =>
  ((await (await fetch(`${origin}/jwks`)).json()) as { keys: Array<{ kid: string }> }).keys.map(
    (key) => key.kid,
  );
