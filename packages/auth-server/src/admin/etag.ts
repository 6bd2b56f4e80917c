import { createHash } from 'node:crypto';

/**
 * The strong ETag of a representation: a digest of its JSON, so that any change to what the
 * caller read gives another tag.
 *
 * @example
 * etagOf({ name: 'billing' }); // '"Yk5f..."'
 */
export function etagOf(representation: unknown): string {
  const digest = createHash('sha256').update(JSON.stringify(representation)).digest('base64url');
  return `"${digest.slice(0, 27)}"`;
}

/**
 * Whether an If-Match header value matches `etag` (RFC 9110 §13.1.1: strong comparison; `*`
 * matches anything that exists; a list matches when one of its tags does).
 *
 * @example
 * ifMatches('"a", "b"', '"b"'); // true
 */
export function ifMatches(header: string, etag: string): boolean {
  if (header.trim() === '*') return true;
  return header
    .split(',')
    .map((tag) => tag.trim())
    .some((tag) => tag === etag);
}
