import { createPublicKey } from 'node:crypto';
import type { ClientJwks } from '@portcullis/storage';
import { CLIENT_ASSERTION_ALGORITHMS } from '../../domain/signing-algorithms.ts';
import { invalidField, validateWebUrl } from '../validation.ts';

/** At most this many keys in a client's set: a roll needs two or three. */
const MAX_CLIENT_KEYS = 10;

// Each key type we accept, the members that describe its public part, and the algorithms that
// can use it (RSA only with PSS: RS256 is not allowed).
const KEY_TYPES: Readonly<
  Record<string, { members: readonly string[]; curve?: string; algs: readonly string[] }>
> = {
  EC: { members: ['crv', 'x', 'y'], curve: 'P-256', algs: ['ES256'] },
  RSA: { members: ['n', 'e'], algs: ['PS256'] },
  OKP: { members: ['crv', 'x'], curve: 'Ed25519', algs: ['EdDSA', 'Ed25519'] },
};
// Members that only a private (or symmetric) key has.
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k', 'priv'];
const MIN_RSA_BITS = 2048;

/**
 * A `private_key_jwt` client's key set, checked and reduced to what verification needs: 1 to
 * {@link MAX_CLIENT_KEYS} public signing keys of the allowed algorithms (EC P-256 for ES256, RSA
 * of at least 2048 bits for PS256, Ed25519 for EdDSA), each with a `kid` of its own. A key with
 * private members is refused, not stripped: whoever holds the file has leaked the client's key.
 * Members other than `kty`, `kid`, `alg`, `use` and the public key itself are dropped.
 *
 * @example
 * validateClientJwks({ keys: [{ kty: 'EC', crv: 'P-256', x, y, kid: 'k1' }] });
 */
export function validateClientJwks(value: unknown): ClientJwks {
  if (!isObject(value) || !Array.isArray(value.keys)) {
    invalidField('jwks', 'must be a JWK Set: a JSON object with a "keys" array');
  }
  const keys = value.keys as unknown[];
  if (keys.length === 0) invalidField('jwks', 'has no keys: give at least one public key');
  if (keys.length > MAX_CLIENT_KEYS) {
    invalidField('jwks', `has ${keys.length} keys: at most ${MAX_CLIENT_KEYS}`);
  }
  const kids = new Set<string>();
  const checked = keys.map((key, index) => {
    const jwk = validateKey(key, index);
    if (kids.has(jwk.kid as string)) {
      invalidField('jwks', `has two keys with kid "${jwk.kid}": each needs its own`, { index });
    }
    kids.add(jwk.kid as string);
    return jwk;
  });
  return { keys: checked };
}

/**
 * Where a `private_key_jwt` client publishes its key set: https, or http on loopback only, with
 * no credentials or fragment.
 *
 * @example
 * validateJwksUri('https://billing.internal.example.com/jwks.json');
 */
export function validateJwksUri(value: string): string {
  const uri = validateWebUrl(value, 'the JWKS URI');
  if (new URL(uri).hash) invalidField('jwksUri', `"${value}" must not have a fragment`);
  return uri;
}

/**
 * How many keys of a set published at a client's `jwks_uri` (or stored before these rules)
 * would pass {@link validateClientJwks} on their own: 0 means the client cannot authenticate.
 *
 * @example
 * usableClientKeys(await (await fetch(client.jwksUri)).json()); // 2
 */
export function usableClientKeys(value: unknown): number {
  if (!isObject(value) || !Array.isArray(value.keys)) return 0;
  return value.keys.filter((key, index) => {
    try {
      validateKey(key, index);
      return true;
    } catch {
      return false;
    }
  }).length;
}

function validateKey(key: unknown, index: number): Record<string, string> {
  const fail = (problem: string): never => invalidField('jwks', problem, { index });
  const where = `key ${index + 1}`;
  if (!isObject(key)) return fail(`${where} is not a JSON object`);
  const found = PRIVATE_MEMBERS.filter((member) => key[member] !== undefined);
  if (found.length > 0) {
    fail(
      `${where} holds private key material ("${found.join('", "')}"): give only the public keys, and treat that private key as exposed`,
    );
  }
  const type = typeof key.kty === 'string' ? KEY_TYPES[key.kty] : undefined;
  if (!type) fail(`${where} has kty ${JSON.stringify(key.kty)}: use EC, RSA or OKP`);
  const spec = type as NonNullable<typeof type>;
  if (typeof key.kid !== 'string' || key.kid.trim() === '' || key.kid.length > 200) {
    fail(`${where} needs a kid (a non-empty string): clients name their key in each assertion`);
  }
  for (const member of ['kid', 'alg', 'use', ...spec.members]) {
    if (key[member] !== undefined && typeof key[member] !== 'string') {
      fail(`${where}: "${member}" must be a string`);
    }
  }
  if (spec.curve && key.crv !== spec.curve) {
    fail(`${where} is on curve ${JSON.stringify(key.crv)}: ${key.kty} keys must be ${spec.curve}`);
  }
  if (key.alg !== undefined && !spec.algs.includes(key.alg as string)) {
    fail(
      `${where} has alg ${JSON.stringify(key.alg)}: allowed are ${CLIENT_ASSERTION_ALGORITHMS.join(', ')} (${key.kty}: ${spec.algs.join(', ')})`,
    );
  }
  if (key.use !== undefined && key.use !== 'sig') fail(`${where} has use "${key.use}": use "sig"`);
  // Members in name order, as the clients repository reads them back, so that an unchanged key
  // set compares equal to the stored one.
  const jwk: Record<string, string> = {};
  for (const member of ['kty', 'kid', 'alg', 'use', ...spec.members].sort()) {
    if (typeof key[member] === 'string') jwk[member] = key[member];
  }
  let bits: number | undefined;
  try {
    const publicKey = createPublicKey({ key: jwk, format: 'jwk' });
    bits = publicKey.asymmetricKeyDetails?.modulusLength;
  } catch {
    fail(`${where} (kid "${jwk.kid}") is not a valid ${jwk.kty} public key`);
  }
  if (jwk.kty === 'RSA' && (bits ?? 0) < MIN_RSA_BITS) {
    fail(`${where} is a ${bits}-bit RSA key: at least ${MIN_RSA_BITS} bits`);
  }
  return jwk;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
