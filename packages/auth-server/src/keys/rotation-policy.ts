import type { RetirementPolicy } from '@portcullis/storage';
import { ID_TOKEN_TTL } from '../domain/lifetimes.ts';

/**
 * How long a staged key is published before it signs, unless `keys rotate --propagation` says
 * otherwise: well past the 10 minutes @portcullis/resource-server (and jose) cache a JWKS by
 * default, so every resource server has refetched it and knows the new key before the first
 * token signed with it arrives.
 */
export const DEFAULT_PROPAGATION_SECONDS = 3600;

/**
 * How long a retired key stays published. Besides access tokens (whose longest lifetime, on any
 * resource or client, is read from the database at retirement) we sign ID tokens, which live
 * {@link ID_TOKEN_TTL}. The leeway covers resource servers' clock tolerance (at most 60 s) and
 * clock skew between machines.
 */
export const RETIREMENT_POLICY: RetirementPolicy = {
  minimumTokenLifetimeSeconds: ID_TOKEN_TTL,
  leewaySeconds: 300,
};

/** How often a server looks at the key schedule even when nothing is due, in ms. */
export const KEY_CHECK_INTERVAL_MS = 60_000;
