import type { SigningAlgorithm, SigningKeySummary } from '@portcullis/auth-server';

/** A rotation that makes new keys sign at once, and what it did to the keys they replace. */
export interface RotatedNow {
  activated: SigningKeySummary[];
  replaced: SigningKeySummary[];
}

/**
 * What the `keys` commands do, with two back ends: the keys service on the database (local mode,
 * with the key-encryption key) or the admin API (`--server`: the server's own key-encryption
 * key, the token's `admin:keys` scope for rotations). The commands print the same from either.
 */
export interface KeysBackend {
  /** Every key with its schedule, and the database's time it was read at. */
  list(): Promise<{ keys: SigningKeySummary[]; now: Date }>;
  /** A staged rotation: the new keys sign after `propagationSeconds`. */
  rotate(options: {
    algorithms: SigningAlgorithm[] | undefined;
    propagationSeconds: number;
  }): Promise<SigningKeySummary[]>;
  /** An emergency rotation: the new keys sign now; `revokeOld` takes the old ones out at once. */
  rotateNow(options: {
    algorithms: SigningAlgorithm[] | undefined;
    revokeOld: boolean;
  }): Promise<RotatedNow>;
}
