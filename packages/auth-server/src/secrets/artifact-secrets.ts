import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  hash,
  hkdfSync,
  randomBytes,
} from 'node:crypto';

/**
 * The key an oidc-provider artifact (a code, a token, a session, an interaction) is stored
 * under: SHA-256 of its value, base64url. Every such value oidc-provider makes carries at least
 * 256 random bits (43 nanoid characters), so the digest cannot be reversed by guessing and needs
 * no key: the CLI, the janitor and every replica compute it alike, and no key rotation breaks a
 * lookup. Migration 0009 computes the same digest in SQL.
 *
 * @example
 * artifactDigest('x3Zk...'); // '2Q8q...' (43 characters)
 */
export function artifactDigest(value: string): string {
  return hash('sha256', value, 'base64url');
}

/**
 * The key that seals the other secrets an artifact's payload carries (an interaction's session
 * cookie, its device code), derived from the artifact's own value: only whoever presents the
 * value can open them, and the stored digest gives no way to the key.
 *
 * @example
 * const sealed = sealFields(sealKeyOf(uid), { deviceCode });
 */
export function sealKeyOf(value: string): Buffer {
  return Buffer.from(hkdfSync('sha256', value, '', 'portcullis artifact seal', 32));
}

/**
 * Encrypts fields with AES-256-GCM under `key`: base64url of IV, tag and ciphertext.
 *
 * @example
 * const sealed = sealFields(key, { returnTo: 'https://as.example/auth/abc' });
 * openFields(key, sealed); // { returnTo: 'https://as.example/auth/abc' }
 */
export function sealFields(key: Buffer, fields: Record<string, unknown>): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const text = Buffer.concat([cipher.update(JSON.stringify(fields), 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), text]).toString('base64url');
}

/** Opens what {@link sealFields} sealed; undefined for the wrong key or a damaged value. */
export function openFields(key: Buffer, sealed: unknown): Record<string, unknown> | undefined {
  if (typeof sealed !== 'string') return undefined;
  const bytes = Buffer.from(sealed, 'base64url');
  if (bytes.length < 28) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, 12));
    decipher.setAuthTag(bytes.subarray(12, 28));
    const text = Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]);
    return JSON.parse(text.toString('utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** Lookup and sealing keys of device-flow user codes. */
export interface UserCodeKeys {
  /** What the code is stored under: an HMAC, not reversible without the server's key. */
  lookup(userCode: string): string;
  /** The key that seals the device code in its row, so the code typed in finds the device code. */
  sealKey(userCode: string): Buffer;
}

/**
 * Keys for user codes (the short code a person types in the device flow). A user code has
 * only about 35 bits (8 characters of 20), so a plain digest would be reversed in seconds by
 * trying them all: it is keyed with an HMAC under a key derived from the key-encryption key,
 * which every replica shares. A key change only ends device authorizations in flight (10
 * minutes at most).
 *
 * @example
 * const keys = createUserCodeKeys(config.keyEncryptionKey);
 * keys.lookup('BCDFGHJK'); // the value of `oidc_artifacts.user_code`
 */
export function createUserCodeKeys(secret: Buffer): UserCodeKeys {
  const key = Buffer.from(hkdfSync('sha256', secret, '', 'portcullis device user codes', 32));
  const mac = (label: string, userCode: string) =>
    createHmac('sha256', key).update(`${label}:${userCode}`).digest();
  return {
    lookup: (userCode) => mac('lookup', userCode).toString('base64url'),
    sealKey: (userCode) => mac('seal', userCode),
  };
}
