import { createHmac } from 'node:crypto';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/**
 * An RFC 6238 code (HMAC-SHA-1, 30-second steps, 6 digits) for a base32 seed as an
 * authenticator app computes it: written here from the RFC, so the tests check the server
 * against an implementation of their own. `offsetSteps` moves the clock by whole steps.
 *
 * @example
 * totpCode('JBSWY3DPEHPK3PXP'); // '492039' (for the current step)
 */
export function totpCode(base32Seed: string, offsetSteps = 0, now = Date.now()): string {
  const clean = base32Seed.replace(/[\s=]/g, '').toUpperCase();
  let bits = '';
  for (const char of clean) bits += BASE32.indexOf(char).toString(2).padStart(5, '0');
  const key = Buffer.from((bits.match(/.{8}/g) ?? []).map((byte) => Number.parseInt(byte, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(now / 30_000) + offsetSteps));
  const hmac = createHmac('sha1', key).update(counter).digest();
  const offset = (hmac[19] as number) & 0xf;
  const value = hmac.readUInt32BE(offset) & 0x7fffffff;
  return String(value % 1_000_000).padStart(6, '0');
}

/**
 * Milliseconds to wait so that `now` is at least `margin` ms inside a 30-second step on both
 * sides: a test comparing codes of neighbouring steps must not see the step change under it.
 */
export function msUntilMidStep(margin = 5_000, now = Date.now()): number {
  const into = now % 30_000;
  return into >= margin && into <= 30_000 - margin ? 0 : (30_000 - into + margin) % 30_000;
}
