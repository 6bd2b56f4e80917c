import { randomUUID } from 'node:crypto';
import { base64url, type CryptoKey, SignJWT } from 'jose';
import type { TestKey } from './keys.ts';

/** Fixed "now" of the tests, in seconds; resource servers get `now: () => NOW * 1000`. */
export const NOW = 1_800_000_000;
/** Issuer of the test tokens (test apps use it unless told otherwise). */
export const ISSUER = 'https://as.example.test';
/** Audience of the test tokens, and the default realm of test apps. */
export const AUDIENCE = 'https://api.example.test';

/** What to change in an otherwise valid access token. */
export interface MintOptions {
  /** Replaces or adds header parameters (`alg` and `kid` default to the key's). */
  header?: Record<string, unknown>;
  /** Replaces or adds claims. */
  claims?: Record<string, unknown>;
  /** Claims to leave out. */
  omit?: string[];
  /** Signs with this key instead of `key.privateKey`. */
  signWith?: CryptoKey | Uint8Array;
}

/** The claims of a valid access token at `NOW`. */
export function validClaims(): Record<string, unknown> {
  return {
    iss: ISSUER,
    aud: AUDIENCE,
    sub: 'user-1',
    client_id: 'client-1',
    jti: randomUUID(),
    iat: NOW,
    exp: NOW + 300,
    scope: 'notes:read',
  };
}

/** Mints an access token (typ at+jwt) signed by `key`, then applies `options`. */
export async function mintToken(key: TestKey, options: MintOptions = {}): Promise<string> {
  const claims = { ...validClaims(), ...options.claims };
  for (const name of options.omit ?? []) delete claims[name];
  const header = { alg: key.alg, kid: key.kid, typ: 'at+jwt', ...options.header };
  for (const [name, value] of Object.entries(header)) {
    if (value === undefined) delete header[name as keyof typeof header];
  }
  return new SignJWT(claims)
    .setProtectedHeader(header as { alg: string })
    .sign(options.signWith ?? key.privateKey);
}

/** An unsigned token (`alg: none`), which jose refuses to produce. */
export function mintUnsignedToken(header: Record<string, unknown> = {}): string {
  const encode = (value: unknown) => base64url.encode(JSON.stringify(value));
  return `${encode({ alg: 'none', typ: 'at+jwt', ...header })}.${encode(validClaims())}.`;
}
