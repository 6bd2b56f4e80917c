import { InvalidTokenError } from '../errors.ts';

// Deeper chains than any issuer would make are refused rather than walked.
const MAX_ACTORS = 10;

/**
 * The actor chain of a delegated token (RFC 8693 §4.1 `act`): the `sub` of each actor, the
 * current one (the party calling this API for the token's subject) first, the earliest last;
 * empty for a token without `act`, which its subject (or its client, for client credentials)
 * uses itself. A malformed `act` (not an object with a non-empty string `sub`, a nested `act`
 * of the same shape, or deeper than ten) makes the token invalid: a delegation this API cannot
 * read must not pass as no delegation.
 *
 * @example
 * readActorChain({ act: { sub: 'billing', act: { sub: 'orders' } } }); // ['billing', 'orders']
 */
export function readActorChain(claims: Readonly<Record<string, unknown>>): readonly string[] {
  const chain: string[] = [];
  let act = claims.act;
  while (act !== undefined) {
    if (typeof act !== 'object' || act === null || Array.isArray(act)) throw invalidAct();
    const { sub } = act as Record<string, unknown>;
    if (typeof sub !== 'string' || sub === '' || chain.length === MAX_ACTORS) throw invalidAct();
    chain.push(sub);
    act = (act as Record<string, unknown>).act;
  }
  return Object.freeze(chain);
}

const invalidAct = () => new InvalidTokenError('the access token has an invalid claim');
