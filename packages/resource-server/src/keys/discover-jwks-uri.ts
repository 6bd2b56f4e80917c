// Authorization server metadata is small; anything bigger is not metadata.
const maxMetadataBytes = 256 * 1024;

async function readCappedText(response: Response): Promise<string> {
  const declared = Number(response.headers.get('content-length'));
  if (declared > maxMetadataBytes) throw new Error('metadata response is too large');
  if (response.body === null) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    size += chunk.byteLength;
    if (size > maxMetadataBytes) throw new Error('metadata response is too large');
    chunks.push(chunk);
  }
  return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
}

/**
 * Fetches `${issuer}/.well-known/oauth-authorization-server` (RFC 8414) and returns its
 * `jwks_uri`. Rejects metadata whose `issuer` is not exactly ours (RFC 8414 §3.3: otherwise an
 * attacker-controlled metadata document could name its own keys). Redirects are not followed.
 * Throws a plain `Error` on any failure; the caller turns it into a 503.
 *
 * @example
 * const jwksUri = await discoverJwksUri('http://localhost:3000', 5000);
 */
export async function discoverJwksUri(issuer: string, timeoutMs: number): Promise<URL> {
  // oidc-provider serves its metadata under the issuer's path, like OpenID discovery.
  const url = `${issuer.replace(/\/$/, '')}/.well-known/oauth-authorization-server`;
  const response = await fetch(url, {
    redirect: 'manual',
    signal: AbortSignal.timeout(timeoutMs),
    headers: { accept: 'application/json' },
  });
  if (response.status !== 200) {
    await response.body?.cancel();
    throw new Error(`metadata request answered HTTP ${response.status}`);
  }
  const metadata: unknown = JSON.parse(await readCappedText(response));
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
    throw new Error('metadata is not a JSON object');
  }
  const { issuer: advertised, jwks_uri: jwksUri } = metadata as Record<string, unknown>;
  if (advertised !== issuer)
    throw new Error('metadata "issuer" does not match the configured issuer');
  if (typeof jwksUri !== 'string') throw new Error('metadata has no "jwks_uri" string');
  const parsed = URL.parse(jwksUri);
  if (parsed === null || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')) {
    throw new Error('metadata "jwks_uri" is not an http(s) URL');
  }
  return parsed;
}
