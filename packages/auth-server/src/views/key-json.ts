import type { SigningKeyRecord } from '@portcullis/storage';

// How a signing key is written as JSON: by the admin API, and by the CLI's --json (which takes it
// from this package's config entry, so a command line loads no more for it).

/** A signing key as operators see it, never its private part (the keys service's SigningKeySummary). */
type KeyView = Pick<
  SigningKeyRecord,
  'kid' | 'alg' | 'createdAt' | 'activatedAt' | 'retiredAt' | 'activatesAt' | 'removesAt'
> & {
  /** `removed`: deleted by this very rotation (`--now --revoke-old`). */
  state: SigningKeyRecord['state'] | 'removed';
  ageSeconds: number;
};

/**
 * A signing key as the admin API and `keys list --json` write it: no private part, times in
 * ISO 8601 (null when not yet or never).
 *
 * @example
 * keys.map(keyJson); // [{ kid, alg, state, age_seconds, ... }]
 */
export function keyJson(key: KeyView) {
  return {
    kid: key.kid,
    alg: key.alg,
    state: key.state,
    age_seconds: key.ageSeconds,
    created_at: key.createdAt.toISOString(),
    activated_at: key.activatedAt?.toISOString() ?? null,
    retired_at: key.retiredAt?.toISOString() ?? null,
    activates_at: key.activatesAt?.toISOString() ?? null,
    removes_at: key.removesAt?.toISOString() ?? null,
  };
}

/** A signing key as the admin API and `keys list --json` write it. */
export type KeyJson = ReturnType<typeof keyJson>;
