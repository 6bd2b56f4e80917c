import { createHmac, hkdfSync } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';

/** Turns what a request names (a username, an address) into the keys the counters are kept by. */
export interface LimitKeys {
  /** The key of an account: the username trimmed, NFKC-normalised and lower-cased, then keyed-hashed. */
  account(username: string): string;
  /** The key of an address: IPv4 as is, IPv6 by its /64 network, anything else keyed-hashed. */
  address(address: string): string;
  /** The key of a registered client: its id, keyed-hashed only when too long for the table. */
  client(clientId: string): string;
}

/**
 * Key derivation for the counters. Usernames are stored only as an HMAC: people type passwords
 * into the username field, and the counters table must not collect them. The HMAC key is derived
 * from the key-encryption key, which every replica shares, so all replicas count under the same
 * keys.
 *
 * @example
 * const keys = createLimitKeys(config.keyEncryptionKey);
 * keys.account(' Alice '); // same key as keys.account('alice')
 * keys.address('2001:db8:1:2:3:4:5:6'); // '2001:db8:1:2::/64'
 */
export function createLimitKeys(secret: Buffer): LimitKeys {
  const hmacKey = Buffer.from(hkdfSync('sha256', secret, '', 'portcullis rate-limit keys', 32));
  const hash = (value: string) => createHmac('sha256', hmacKey).update(value).digest('base64url');
  return {
    account: (username) => hash(`account:${username.trim().normalize('NFKC').toLowerCase()}`),
    address: (address) => ipKey(address) ?? `other:${hash(`address:${address}`)}`,
    client: (clientId) =>
      clientId.length <= 200 ? clientId : `long:${hash(`client:${clientId}`)}`,
  };
}

// One key per IPv4 address, and per /64 for IPv6: a single IPv6 host is usually given a whole
// /64, so counting its addresses one by one would let it walk around every limit.
function ipKey(address: string): string | undefined {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  if (mapped) return mapped[1];
  if (isIPv4(address)) return address;
  if (!isIPv6(address)) return undefined;
  const groups = expandIPv6(address.split('%', 1)[0] as string);
  return `${groups
    .slice(0, 4)
    .map((g) => Number.parseInt(g, 16).toString(16))
    .join(':')}::/64`;
}

// The eight 16-bit groups of a valid IPv6 address, with `::` and a trailing dotted quad expanded.
function expandIPv6(address: string): string[] {
  let text = address;
  const quad = /(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (quad) {
    const [a, b, c, d] = quad.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, quad.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const missing = tail === undefined ? 0 : 8 - left.length - right.length;
  return [...left, ...Array.from({ length: missing }, () => '0'), ...right];
}
