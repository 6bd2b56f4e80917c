// DRF's SAFE_METHODS: requests that only read (RFC 9110 §9.2.1).
const safeMethods: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Whether `method` only reads: GET, HEAD or OPTIONS (Node gives methods in upper case). */
export function isSafeMethod(method: string): boolean {
  return safeMethods.has(method);
}
