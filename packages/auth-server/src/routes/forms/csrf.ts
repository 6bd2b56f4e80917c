import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * CSRF tokens bound to one interaction (or one session id): an HMAC of it under the server's
 * first cookie key. Stateless, so it works across replicas, and useless for any other interaction.
 */
export function createCsrf(key: string) {
  const sign = (binding: string) =>
    createHmac('sha256', key).update(`csrf:${binding}`).digest('base64url');
  return {
    token: sign,
    verify(binding: string, presented: unknown): boolean {
      if (typeof presented !== 'string') return false;
      const expected = Buffer.from(sign(binding));
      const actual = Buffer.from(presented);
      return expected.length === actual.length && timingSafeEqual(expected, actual);
    },
  };
}

/** The object {@link createCsrf} returns. */
export type Csrf = ReturnType<typeof createCsrf>;
