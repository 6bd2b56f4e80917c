import { type ResolvedOptions, resolveOptions } from '../config/resolve-options.ts';
import { createDpopVerifier } from '../dpop/create-dpop-verifier.ts';
import { createMemoryReplayStore } from '../dpop/create-memory-replay-store.ts';
import type { DpopCheck } from '../dpop/enforce-token-binding.ts';
import { createIntrospector } from '../introspection/create-introspector.ts';
import { createKeyResolver } from '../keys/create-key-resolver.ts';
import {
  type MetadataResponse,
  protectedResourceMetadata,
} from '../metadata/protected-resource-metadata.ts';
import {
  createRevocationSubscriber,
  type RevocationSubscriber,
} from '../revocation/create-revocation-subscriber.ts';
import type { ResourceServerOptions } from '../types.ts';
import { createTokenVerifier } from '../verify/create-token-verifier.ts';
import {
  createRequestAuthenticator,
  type RequestAuthenticator,
} from './create-request-authenticator.ts';

/**
 * One configured resource server, before any framework: its validated options, the
 * authenticator (one verifier, one remote JWKS, one introspection client, one DPoP replay store
 * and, when configured, one revocation feed subscriber) and its RFC 9728 metadata answer. Every
 * adapter is built on one.
 */
export interface ResourceServerCore {
  readonly config: ResolvedOptions;
  readonly authenticator: RequestAuthenticator;
  readonly metadata: MetadataResponse;
  /** The revocation feed's subscriber; undefined when it is not followed. */
  readonly revocation: RevocationSubscriber | undefined;
}

/**
 * Validates `options` (a `ResourceServerConfigError` names the bad key) and builds the core of a
 * resource server. Nothing is fetched until the first token arrives.
 *
 * @example
 * const core = createCore({ issuer: 'http://localhost:3000', audience: 'http://localhost:4000' });
 */
export function createCore(options: ResourceServerOptions): ResourceServerCore {
  const config = resolveOptions(options);
  const verifier = createTokenVerifier(config, createKeyResolver(config));
  const introspector = config.introspection && createIntrospector(config, config.introspection);
  let dpop: DpopCheck | undefined;
  if (config.dpop !== undefined && config.publicUrl !== undefined) {
    const store =
      config.dpop.replayStore ?? createMemoryReplayStore(config.dpop.replayCacheSize, config.now);
    dpop = {
      verifier: createDpopVerifier(config.dpop, store, config.now, config.clockToleranceSeconds),
      publicUrl: config.publicUrl,
    };
  }
  const revocation =
    config.revocationFeed && createRevocationSubscriber(config, config.revocationFeed);
  return Object.freeze({
    config,
    authenticator: createRequestAuthenticator(config, { verifier, introspector, dpop, revocation }),
    metadata: protectedResourceMetadata(config),
    revocation,
  });
}
