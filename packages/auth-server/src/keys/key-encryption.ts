import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const VERSION = 'v1';

/**
 * Encrypts a private key for storage with AES-256-GCM under the key-encryption key from
 * configuration. `context` (the kid) is bound as associated data, so a ciphertext moved to
 * another row does not decrypt.
 */
export function encryptPrivateKey(plaintext: string, kek: Buffer, context: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', kek, iv);
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [VERSION, iv, body, cipher.getAuthTag()]
    .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
    .join('.');
}

/** Reverses {@link encryptPrivateKey}; throws when the key or the context is wrong. */
export function decryptPrivateKey(envelope: string, kek: Buffer, context: string): string {
  const [version, iv, body, tag] = envelope.split('.');
  if (version !== VERSION || !iv || !body || !tag) {
    throw new Error('the stored signing key is not in a known encrypted format');
  }
  const decipher = createDecipheriv('aes-256-gcm', kek, Buffer.from(iv, 'base64url'));
  decipher.setAAD(Buffer.from(context, 'utf8'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  try {
    return Buffer.concat([
      decipher.update(Buffer.from(body, 'base64url')),
      decipher.final(),
    ]).toString('utf8');
  } catch {
    throw new Error(
      'cannot decrypt the signing keys: PORTCULLIS_KEY_ENCRYPTION_KEY is not the key they were stored with',
    );
  }
}

/**
 * Reads a key-encryption key as `PORTCULLIS_KEY_ENCRYPTION_KEY` holds it: base64url of exactly
 * 32 bytes. Throws a one-line reason otherwise.
 *
 * @example
 * const kek = parseKeyEncryptionKey(process.env.PORTCULLIS_KEY_ENCRYPTION_KEY ?? '');
 */
export function parseKeyEncryptionKey(value: string): Buffer {
  const key = Buffer.from(value, 'base64url');
  if (key.length !== 32 || key.toString('base64url') !== value) {
    throw new Error('PORTCULLIS_KEY_ENCRYPTION_KEY must be base64url of exactly 32 bytes');
  }
  return key;
}
