import { type ArtifactsRepository, isDatabaseUnavailable } from '@portcullis/storage';
import { errors } from 'oidc-provider';
import { DatabaseUnavailableError } from '../errors.ts';
import type { ClientRegistry } from '../registry/client-registry.ts';
import { holdWrites } from './held-writes.ts';
import { currentRequest } from './request-context.ts';

type Payload = Record<string, unknown>;

// Artifacts whose second use must fail even when oidc-provider's own check raced: it reads, checks
// `consumed`, then calls consume() and ignores the result. Losing the conditional UPDATE here
// turns the race into `invalid_grant`.
const SINGLE_USE = new Set([
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
]);

/**
 * Builds the oidc-provider Adapter class over PostgreSQL. Clients come from the registry (the
 * database behind an invalidated cache); every other model is a row of `oidc_artifacts`.
 */
export function createAdapterClass(deps: {
  artifacts: ArtifactsRepository;
  clients: ClientRegistry;
  /** Seconds after a refresh token's rotation in which its reuse is refused without revoking. */
  refreshReuseGraceSeconds?: number;
}) {
  const { artifacts, clients } = deps;
  const grace = deps.refreshReuseGraceSeconds ?? 0;

  const guard = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      throw isDatabaseUnavailable(error) ? new DatabaseUnavailableError(error) : error;
    }
  };

  const withConsumed = (found: { payload: Payload; consumedAt: number | undefined } | undefined) =>
    found
      ? {
          ...found.payload,
          ...(found.consumedAt ? { consumed: Math.floor(found.consumedAt) } : {}),
        }
      : undefined;

  return class PostgresAdapter {
    readonly model: string;

    constructor(model: string) {
      this.model = model;
    }

    async upsert(id: string, payload: Payload, expiresIn?: number): Promise<void> {
      if (this.model === 'Client') throw new Error('clients are registered with the CLI');
      // Issued after a consumption in the same request: written with it, or not at all.
      const held = currentRequest()?.held;
      if (held) {
        held.writes.push({ model: this.model, id, payload, expiresInSeconds: expiresIn });
        return;
      }
      await guard(() => artifacts.upsert(this.model, id, payload, expiresIn));
    }

    async find(id: string): Promise<Payload | undefined> {
      if (this.model === 'Client') {
        return guard(async () => (await clients.get(id))?.metadata);
      }
      const found = await guard(() => artifacts.find(this.model, id));
      // Refresh-token reuse within the grace window after its rotation (two tabs refreshing at
      // once): refused, but without revoking the grant, which oidc-provider would do on seeing
      // `consumed`. The reuse gets no token, so it cannot keep a stolen family alive; after the
      // window, reuse revokes the whole grant as usual.
      // Only the token endpoint looks refresh tokens up to redeem them; revocation and
      // introspection of a rotated token keep their normal answers. Either way the request
      // context says so, for the audit trail (provider/refresh-reuse-audit.ts).
      const request = currentRequest();
      if (
        this.model === 'RefreshToken' &&
        found?.consumedAt !== undefined &&
        request?.route === 'token'
      ) {
        if (Date.now() / 1000 - found.consumedAt < grace) {
          request.refreshTokenReuse = 'within_grace_window';
          throw new errors.InvalidGrant('refresh token already used');
        }
        request.consumedRefreshTokenId = id;
      }
      return withConsumed(found);
    }

    async findByUid(uid: string): Promise<Payload | undefined> {
      return guard(async () => withConsumed(await artifacts.findByUid(this.model, uid)));
    }

    async findByUserCode(userCode: string): Promise<Payload | undefined> {
      return guard(async () => withConsumed(await artifacts.findByUserCode(this.model, userCode)));
    }

    async consume(id: string): Promise<void> {
      // At the token endpoint the consumption waits for the response (held-writes.ts).
      const request = currentRequest();
      if (request?.route === 'token' && SINGLE_USE.has(this.model)) {
        if (request.held) request.held.consumed.push({ model: this.model, id });
        else request.held = holdWrites(artifacts, this.model, id);
        return;
      }
      const won = await guard(() => artifacts.consume(this.model, id));
      if (!won && SINGLE_USE.has(this.model)) {
        // A code redeemed twice at once is a code reuse: revoke what the winner got (RFC 9700
        // §4.2.4). Concurrent refreshes are not revoked, for the same reason as the grace window.
        if (this.model === 'AuthorizationCode') {
          await guard(() => artifacts.revokeGrantOf(this.model, id));
        }
        throw new errors.InvalidGrant('grant request is invalid');
      }
    }

    async destroy(id: string): Promise<void> {
      await guard(() => artifacts.destroy(this.model, id));
      // oidc-provider destroys a consumed refresh token presented again only to revoke its grant
      // (reuse detection, after the grace window).
      const request = currentRequest();
      if (this.model === 'RefreshToken' && request && request.consumedRefreshTokenId === id) {
        request.refreshTokenReuse = 'grant_revoked';
      }
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await guard(() => artifacts.revokeByGrantId(grantId));
    }
  };
}
