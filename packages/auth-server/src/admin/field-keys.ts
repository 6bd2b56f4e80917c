import { FIELD_KEYS } from '../domain/field-keys.ts';

// Lists the API sends as one space-separated string: an item has no pointer of its own.
const JOINED = new Set(['scope']);

/**
 * The body key and JSON Pointer of a service field (and item), or undefined for a field the API
 * does not take.
 *
 * @example
 * fieldPointer('redirectUris', 1); // { key: 'redirect_uris', pointer: '/redirect_uris/1' }
 * fieldPointer('scopes', 0, { scopes: 'scopes' }); // a resource's list: '/scopes/0'
 */
export function fieldPointer(
  field: string,
  index?: number,
  overrides: Readonly<Record<string, string>> = {},
): { key: string; pointer: string } | undefined {
  const key = overrides[field] ?? FIELD_KEYS[field];
  if (key === undefined) return undefined;
  const item = index !== undefined && !JOINED.has(key) ? `/${index}` : '';
  return { key, pointer: `/${key}${item}` };
}
