/**
 * Reads a response body of at most `maxBytes` as a JSON object. Throws a plain `Error` when it
 * is bigger (by `Content-Length` or by what arrives), not UTF-8, not JSON, or not an object; the
 * caller decides what that means (for an issuer: a 503).
 *
 * @example
 * const metadata = await readJsonObject(await fetch(url), 256 * 1024);
 */
export async function readJsonObject(
  response: Response,
  maxBytes: number,
): Promise<Record<string, unknown>> {
  const declared = Number(response.headers.get('content-length'));
  if (declared > maxBytes) {
    await response.body?.cancel();
    throw new Error('response is too large');
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (response.body !== null) {
    for await (const chunk of response.body) {
      size += chunk.byteLength;
      if (size > maxBytes) throw new Error('response is too large');
      chunks.push(chunk);
    }
  }
  const value: unknown = JSON.parse(
    new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks)),
  );
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error('response is not a JSON object');
  }
  return value as Record<string, unknown>;
}
