import { hash, randomUUID } from 'node:crypto';
import {
  base64url,
  type CryptoKey,
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  type JWK,
  SignJWT,
} from 'jose';
import { NOW } from './mint-token.ts';

/** A client's DPoP key pair, with its public JWK and RFC 7638 thumbprint (`cnf.jkt`). */
export interface HolderKey {
  readonly alg: string;
  readonly privateKey: CryptoKey;
  readonly publicJwk: JWK;
  readonly privateJwk: JWK;
  readonly jkt: string;
}

/** Generates a DPoP key pair for `alg`. */
export async function generateHolderKey(alg = 'ES256'): Promise<HolderKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  return {
    alg,
    privateKey,
    publicJwk,
    privateJwk: await exportJWK(privateKey),
    jkt: await calculateJwkThumbprint(publicJwk, 'sha256'),
  };
}

/** The `ath` of an access token. */
export const athOf = (token: string) => hash('sha256', token, 'base64url');

/** What to change in an otherwise valid proof. */
export interface ProofOptions {
  htm?: string;
  htu?: string;
  /** Replaces or adds header parameters (`undefined` removes one). */
  header?: Record<string, unknown>;
  /** Replaces or adds claims (`undefined` removes one). */
  claims?: Record<string, unknown>;
  /** Signs with this key instead of the holder's. */
  signWith?: CryptoKey | Uint8Array;
}

/** Mints a DPoP proof by `holder` for `token`, valid at `NOW` for GET `htu`. */
export async function mintProof(
  holder: HolderKey,
  token: string,
  htu: string,
  options: ProofOptions = {},
): Promise<string> {
  const claims: Record<string, unknown> = {
    jti: randomUUID(),
    htm: options.htm ?? 'GET',
    htu: options.htu ?? htu,
    iat: NOW,
    ath: athOf(token),
    ...options.claims,
  };
  const header: Record<string, unknown> = {
    alg: holder.alg,
    typ: 'dpop+jwt',
    jwk: holder.publicJwk,
    ...options.header,
  };
  for (const record of [claims, header]) {
    for (const [name, value] of Object.entries(record)) {
      if (value === undefined) delete record[name];
    }
  }
  return new SignJWT(claims)
    .setProtectedHeader(header as { alg: string })
    .sign(options.signWith ?? holder.privateKey);
}

/** An unsigned proof (`alg: none`), which jose refuses to produce. */
export function mintUnsignedProof(holder: HolderKey, token: string, htu: string): string {
  const encode = (value: unknown) => base64url.encode(JSON.stringify(value));
  const header = { alg: 'none', typ: 'dpop+jwt', jwk: holder.publicJwk };
  const claims = { jti: randomUUID(), htm: 'GET', htu, iat: NOW, ath: athOf(token) };
  return `${encode(header)}.${encode(claims)}.`;
}

/** GET `url` with exactly these headers; parses a JSON answer. */
export async function getWithHeaders(
  url: string,
  headers: Record<string, string>,
  method = 'GET',
): Promise<{ status: number; headers: Headers; body: Record<string, unknown> | undefined }> {
  const response = await fetch(url, { method, headers });
  const text = await response.text();
  const json = response.headers.get('content-type')?.startsWith('application/json');
  return {
    status: response.status,
    headers: response.headers,
    body: json && text !== '' ? JSON.parse(text) : undefined,
  };
}
