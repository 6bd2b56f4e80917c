import { ResourceServerConfigError } from '../errors.ts';
import { claim } from './claim.ts';
import type { Rule } from './rule.ts';

/**
 * The token must be a delegated one (RFC 8693 token exchange) whose current actor — the first of
 * `auth.actor`, the service calling this API for the user — is one of `actors` (client ids,
 * compared exactly). A token the user's own app presents (no `act`) is refused (403 `forbidden`),
 * as is one delegated to anyone else. `not(actedBy(...))` keeps a route to tokens not acted on
 * by those services; to refuse every delegated token, read `auth.actor.length` in a {@link claim}.
 *
 * @example
 * router.post('/invoices/:id/pay', rs.authenticate(), permit(and(allOf('invoices:pay'), actedBy(ORDERS_SERVICE))), pay);
 */
export function actedBy(...actors: string[]): Rule {
  if (actors.length === 0 || actors.some((id) => typeof id !== 'string' || id === '')) {
    throw new ResourceServerConfigError(
      'actedBy',
      'give at least one actor, each a non-empty client id',
    );
  }
  const allowed = new Set(actors);
  return claim('act', (_act, auth) => {
    const current = auth.actor[0];
    return current !== undefined && allowed.has(current);
  });
}
