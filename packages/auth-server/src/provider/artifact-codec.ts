import {
  artifactDigest,
  createUserCodeKeys,
  openFields,
  sealFields,
  sealKeyOf,
  type UserCodeKeys,
} from '../secrets/artifact-secrets.ts';

type Payload = Record<string, unknown>;

/** An artifact as it goes to the table: no bearer value in it, in any column. */
export interface EncodedArtifact {
  /** The digest of the value (a Grant: its id, which is no secret). */
  id: string;
  payload: Payload;
  /** A device code's user code, keyed-hashed. */
  userCode?: string;
}

// Payload fields that carry another bearer value than the artifact's own (which is its `jti`,
// never stored): sealed under a key from the artifact's value. An interaction's `returnTo` holds
// its uid, `session.cookie` the session id, `deviceCode` and `parJti` those artifacts' values; a
// device code's `userCode` is stored keyed-hashed in its own column instead.
const SEALED: Readonly<Record<string, readonly string[]>> = {
  Interaction: ['returnTo', 'session', 'deviceCode', 'parJti'],
  DeviceCode: ['userCode'],
};
const NONE: readonly string[] = [];

// Payload fields the codec adds: the sealed fields, and a device code's own value sealed under
// its user code (the user types the code in, and oidc-provider then saves the device code).
const SEAL = 'sealed';
const SEAL_BY_USER_CODE = 'sealedByUserCode';

/**
 * Turns oidc-provider's artifacts into what the table holds and back. The value of a code,
 * token, session or interaction is stored only as its SHA-256 digest and removed from the
 * payload; other secrets in a payload are sealed under a key from that value; a user code is
 * keyed-hashed under the key-encryption key. Reads restore it all from the value being looked up.
 * Grants are stored as they are: a grant id is shown to its user and names what a revocation
 * targets, and nothing accepts it as a credential. Without `userCodeSecret` (the CLI, which
 * issues no device codes) a device code with a user code is refused.
 *
 * @example
 * const codec = createArtifactCodec(config.keyEncryptionKey);
 * const row = codec.encode('RefreshToken', value, payload); // row.id === artifactDigest(value)
 */
export function createArtifactCodec(userCodeSecret?: Buffer) {
  let userCodeKeys: UserCodeKeys | undefined;
  const userCodes = () => {
    if (!userCodeSecret) throw new Error('device user codes need the key-encryption key');
    userCodeKeys ??= createUserCodeKeys(userCodeSecret);
    return userCodeKeys;
  };
  const clear = (model: string) => model === 'Grant';

  const strip = (stored: Payload): Payload => {
    const { [SEAL]: _sealed, [SEAL_BY_USER_CODE]: _byUserCode, ...rest } = stored;
    return rest;
  };

  const decode = (model: string, value: string, stored: Payload): Payload | undefined => {
    if (clear(model)) return stored;
    const opened = stored[SEAL] === undefined ? {} : openFields(sealKeyOf(value), stored[SEAL]);
    if (!opened) return undefined;
    return { ...strip(stored), ...opened, jti: value };
  };

  return {
    /** The key the artifact `value` is stored under. */
    key: (model: string, value: string): string => (clear(model) ? value : artifactDigest(value)),

    /** What to store for the artifact `value` with oidc-provider's `payload`. */
    encode(model: string, value: string, payload: Payload): EncodedArtifact {
      if (clear(model)) return { id: value, payload };
      const { jti: _jti, ...rest } = payload;
      const sealed: Payload = {};
      for (const field of SEALED[model] ?? NONE) {
        if (rest[field] === undefined) continue;
        sealed[field] = rest[field];
        delete rest[field];
      }
      if (Object.keys(sealed).length > 0) rest[SEAL] = sealFields(sealKeyOf(value), sealed);
      const encoded: EncodedArtifact = { id: artifactDigest(value), payload: rest };
      if (typeof payload.userCode === 'string') {
        const keys = userCodes();
        rest[SEAL_BY_USER_CODE] = sealFields(keys.sealKey(payload.userCode), { jti: value });
        encoded.userCode = keys.lookup(payload.userCode);
      }
      return encoded;
    },

    /** oidc-provider's payload of the artifact found under the key of `value`. */
    decode,

    /** The stored key of a user code. */
    userCodeKey: (userCode: string): string => userCodes().lookup(userCode),

    /** oidc-provider's payload of a device code found by its user code. */
    decodeByUserCode(model: string, userCode: string, stored: Payload): Payload | undefined {
      const value = openFields(userCodes().sealKey(userCode), stored[SEAL_BY_USER_CODE])?.jti;
      return typeof value === 'string' ? decode(model, value, stored) : undefined;
    },

    /**
     * A session found by its uid (oidc-provider checks who it belongs to): without its id, which
     * only its cookie knows; oidc-provider never saves a session it found this way.
     */
    decodeByUid: (stored: Payload): Payload => strip(stored),
  };
}
