/**
 * `URL.parse`: the URL, or `null` when `value` is not an absolute URL, without throwing. Ours
 * because `URL.parse` itself is documented from Node.js 22.1 on, and this package runs on any
 * Node.js 20.
 *
 * @example
 * parseUrl('https://api.example.com/notes')?.pathname; // '/notes'
 * parseUrl('/notes'); // null
 */
export function parseUrl(value: string): URL | null {
  return URL.canParse(value) ? new URL(value) : null;
}
