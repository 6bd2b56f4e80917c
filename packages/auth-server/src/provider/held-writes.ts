import type { ArtifactsRepository, ArtifactWrite } from '@portcullis/storage';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { errors } from 'oidc-provider';

/**
 * The writes of one token request from the moment it consumed a single-use artifact (an
 * authorization code, a refresh token, a device code): the consumption and everything issued
 * after it. oidc-provider consumes first and saves the new tokens after, one statement at a
 * time, so a database lost in between would keep the old refresh token consumed without its
 * successor ever reaching the client — whose next refresh then looks like a reuse, and loses
 * the grant. Held back until the response is known, they commit together or not at all.
 */
export interface HeldWrites {
  consumed: Array<{ model: string; id: string }>;
  writes: ArtifactWrite[];
  /** Commits everything in one transaction; false when another request consumed it first. */
  commit(): Promise<boolean>;
}

/**
 * Starts holding back the writes of the current request at the consumption of `model` `id` (the
 * key it is stored under, provider/artifact-codec.ts).
 * When another request wins the race for an authorization code, what it was issued is revoked
 * (RFC 9700 §4.2.4), as a code used twice must.
 *
 * @example
 * context.held = holdWrites(artifacts, 'RefreshToken', id);
 */
export function holdWrites(artifacts: ArtifactsRepository, model: string, id: string): HeldWrites {
  const held: HeldWrites = {
    consumed: [{ model, id }],
    writes: [],
    async commit() {
      const won = await artifacts.consumeAndUpsert(held.consumed, held.writes);
      if (!won) {
        for (const lost of held.consumed) {
          if (lost.model === 'AuthorizationCode') {
            await artifacts.revokeGrantOf(lost.model, lost.id);
          }
        }
      }
      return won;
    },
  };
  return held;
}

/**
 * Settles a request's held writes once oidc-provider has answered it: a success commits them
 * all (and turns into `invalid_grant` when another request consumed the artifact first); an
 * error answer writes nothing, the consumption included. A database lost while committing
 * throws, and the request is answered 503.
 *
 * An error issues nothing, so it must consume nothing either (RFC 6749 §5.2; RFC 9700 §4.14.2
 * invalidates a refresh token only when its successor is handed out). oidc-provider consumes
 * first and checks after: a refresh asking for a resource the grant does not cover is refused
 * `invalid_target` once the token is already rotated, and keeping that consumption would make
 * the client's corrected retry look like a reuse, which revokes the grant. Dropping it here
 * covers every check oidc-provider makes after the consumption, today's and future ones, with
 * its own error. What fails after a consumption can only come from the artifact's holder (a code
 * is consumed only after its PKCE verifier matched), so a retry gives nobody anything new.
 */
export async function settleHeldWrites(ctx: KoaContextWithOIDC, held: HeldWrites): Promise<void> {
  if (ctx.status !== 200) return;
  if (await held.commit()) return;
  const error = new errors.InvalidGrant('grant request is invalid');
  ctx.status = error.statusCode;
  ctx.body = { error: error.error, error_description: error.error_description };
  ctx.oidc?.provider.emit('grant.error', ctx, error);
}
