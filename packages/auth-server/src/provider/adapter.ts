import { type ArtifactsRepository, isDatabaseUnavailable } from '@portcullis/storage';
import { errors } from 'oidc-provider';
import { DatabaseUnavailableError } from '../errors.ts';
import type { ClientRegistry } from '../registry/client-registry.ts';
import { createArtifactCodec } from './artifact-codec.ts';
import {
  artifactReads,
  artifactReadsByUid,
  batchingArtifactWrites,
  deferDestroy,
  deferWrite,
  flushPendingWrites,
  forgetArtifactRead,
  takePendingWrites,
  writesPending,
} from './artifact-reads.ts';
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

// Read at the token endpoint with, in the same statement, the session and the grant they name,
// which oidc-provider reads next (by the session's uid and the grant's id): kept as this request's
// reads of those (artifact-reads.ts).
const READ_WITH_SESSION_AND_GRANT = new Set(['AuthorizationCode', 'RefreshToken']);

// Deleted with the request's next write rather than in a statement of their own. Sessions only
// where writes wait (below): a session's next write is itself, under a new id with the same uid,
// which then takes over its row in the same statement (artifact-reads.ts, takePendingWrites).
const DEFERRED_DESTROY = new Set(['Interaction']);

// Whether this request's artifact writes wait and go together in one statement: in
// oidc-provider's resume (the interaction's result applied: the session, the next interaction or
// the code, the interaction deleted), which reads nothing of ours after writing, and in a
// batchArtifactWrites scope. Both write what waits before the response.
const writesWait = () => batchingArtifactWrites() || currentRequest()?.route === 'resume';

/**
 * Builds the oidc-provider Adapter class over PostgreSQL. Clients come from the registry (the
 * database behind an invalidated cache); every other model is a row of `oidc_artifacts`, stored
 * under the digest of its value with no bearer value in it (provider/artifact-codec.ts).
 */
export function createAdapterClass(deps: {
  artifacts: ArtifactsRepository;
  clients: ClientRegistry;
  /** Seconds after a refresh token's rotation in which its reuse is refused without revoking. */
  refreshReuseGraceSeconds?: number;
  /** The key-encryption key, which keys device-flow user codes; none: no device flow. */
  userCodeSecret?: Buffer;
}) {
  const { artifacts, clients } = deps;
  const codec = createArtifactCodec(deps.userCodeSecret);
  const grace = deps.refreshReuseGraceSeconds ?? 0;

  const guard = async <T>(work: () => Promise<T> | T): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      throw isDatabaseUnavailable(error) ? new DatabaseUnavailableError(error) : error;
    }
  };

  const withConsumed = (
    payload: Payload | undefined,
    found: { consumedAt: number | undefined } | undefined,
  ) =>
    payload && found
      ? { ...payload, ...(found.consumedAt ? { consumed: Math.floor(found.consumedAt) } : {}) }
      : undefined;

  // The artifact `id`; a code or refresh token at the token endpoint with its session and grant.
  const read = async (model: string, id: string) => {
    const key = codec.key(model, id);
    const grants = artifactReads('Grant');
    const sessions = artifactReadsByUid('Session');
    if (
      !READ_WITH_SESSION_AND_GRANT.has(model) ||
      currentRequest()?.route !== 'token' ||
      !grants ||
      !sessions
    ) {
      return artifacts.find(model, key);
    }
    const found = await artifacts.findWithSessionAndGrant(model, key);
    if (!found) return undefined;
    const { sessionUid, grantId } = found.artifact.payload;
    if (typeof sessionUid === 'string' && found.session !== undefined) {
      const session = found.session ?? undefined;
      sessions.set(
        sessionUid,
        withConsumed(session && codec.decodeByUid(session.payload), session),
      );
    }
    if (typeof grantId === 'string' && found.grant !== undefined) {
      const grant = found.grant ?? undefined;
      grants.set(
        grantId,
        withConsumed(grant && codec.decode('Grant', grantId, grant.payload), grant),
      );
    }
    return found.artifact;
  };

  return class PostgresAdapter {
    readonly model: string;

    constructor(model: string) {
      this.model = model;
    }

    async upsert(id: string, payload: Payload, expiresIn?: number): Promise<void> {
      if (this.model === 'Client') throw new Error('clients are registered with the CLI');
      forgetArtifactRead(this.model, id);
      const stored = codec.encode(this.model, id, payload);
      const write = { model: this.model, ...stored, expiresInSeconds: expiresIn };
      // Issued after a consumption in the same request: written with it, or not at all.
      const held = currentRequest()?.held;
      if (held) {
        await guard(flushPendingWrites);
        held.writes.push(write);
        return;
      }
      if (writesWait() && deferWrite(write)) return;
      // What the request left waiting (an interaction or session deleted, an audit event) goes
      // in this statement (artifact-reads.ts).
      const pending = takePendingWrites({ model: this.model, id: stored.id });
      await guard(() => artifacts.write([...(pending?.writes ?? []), write], pending));
    }

    async find(id: string): Promise<Payload | undefined> {
      if (this.model === 'Client') {
        return guard(async () => (await clients.get(id))?.metadata);
      }
      // Read once per request for the interaction, the session and the grant (artifact-reads.ts).
      const reads = artifactReads(this.model);
      if (reads?.has(id)) return reads.get(id);
      // A write waiting may be of this one: done first.
      if (writesPending()) await guard(flushPendingWrites);
      const found = await guard(() => read(this.model, id));
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
      const payload = withConsumed(found && codec.decode(this.model, id, found.payload), found);
      reads?.set(id, payload);
      return payload;
    }

    async findByUid(uid: string): Promise<Payload | undefined> {
      // The session by uid, read once per request too (artifact-reads.ts).
      const reads = artifactReadsByUid(this.model);
      if (reads?.has(uid)) return reads.get(uid);
      // A deletion waiting for the next write may be of this one: done first.
      await guard(flushPendingWrites);
      const found = await guard(() => artifacts.findByUid(this.model, uid));
      const payload = withConsumed(found && codec.decodeByUid(found.payload), found);
      reads?.set(uid, payload);
      return payload;
    }

    async findByUserCode(userCode: string): Promise<Payload | undefined> {
      await guard(flushPendingWrites);
      const found = await guard(() =>
        artifacts.findByUserCode(this.model, codec.userCodeKey(userCode)),
      );
      return withConsumed(
        found && codec.decodeByUserCode(this.model, userCode, found.payload),
        found,
      );
    }

    async consume(id: string): Promise<void> {
      // At the token endpoint the consumption waits for the response (held-writes.ts).
      forgetArtifactRead(this.model, id);
      await guard(flushPendingWrites);
      const request = currentRequest();
      const key = codec.key(this.model, id);
      if (request?.route === 'token' && SINGLE_USE.has(this.model)) {
        if (request.held) request.held.consumed.push({ model: this.model, id: key });
        else request.held = holdWrites(artifacts, this.model, key);
        return;
      }
      const won = await guard(() => artifacts.consume(this.model, key));
      // A pushed request (RFC 9126 §4) opened in two tabs at once: oidc-provider checked both
      // unconsumed; only the one that consumed it gets a code.
      if (!won && this.model === 'PushedAuthorizationRequest') {
        throw new errors.InvalidRequestUri('request_uri is invalid, expired, or was already used');
      }
      if (!won && SINGLE_USE.has(this.model)) {
        // A code redeemed twice at once is a code reuse: revoke what the winner got (RFC 9700
        // §4.2.4). Concurrent refreshes are not revoked, for the same reason as the grace window.
        if (this.model === 'AuthorizationCode') {
          await guard(() => artifacts.revokeGrantOf(this.model, key));
        }
        throw new errors.InvalidGrant('grant request is invalid');
      }
    }

    async destroy(id: string): Promise<void> {
      forgetArtifactRead(this.model, id);
      const key = codec.key(this.model, id);
      // In oidc-provider's routes an interaction deleted goes with the request's next write (the
      // resume's code or next interaction), or before the response when none comes
      // (request-context.ts); until then this request reads it as gone.
      if (
        (DEFERRED_DESTROY.has(this.model) || (this.model === 'Session' && writesWait())) &&
        currentRequest() &&
        deferDestroy(this.model, key, id)
      ) {
        return;
      }
      await guard(flushPendingWrites);
      await guard(() => artifacts.destroy(this.model, key));
      // oidc-provider destroys a consumed refresh token presented again only to revoke its grant
      // (reuse detection, after the grace window).
      const request = currentRequest();
      if (this.model === 'RefreshToken' && request && request.consumedRefreshTokenId === id) {
        request.refreshTokenReuse = 'grant_revoked';
      }
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await guard(flushPendingWrites);
      forgetArtifactRead();
      await guard(() => artifacts.revokeByGrantId(grantId));
    }
  };
}
