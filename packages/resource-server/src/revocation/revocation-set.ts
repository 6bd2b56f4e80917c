/** One revocation as the feed serves it (times in seconds since the epoch). */
export interface Revocation {
  kind: 'grant' | 'token' | 'subject' | 'client';
  value: string;
  revokedAt: number;
  expiresAt: number;
}

/** The claims of a verified token that a revocation can name. */
export interface RevocableClaims {
  jti?: unknown;
  grant_id?: unknown;
  sub?: unknown;
  client_id?: unknown;
  iat?: unknown;
}

/** The revocations in memory; see {@link createRevocationSet}. */
export interface RevocationSet {
  /** Adds feed entries (in feed order). */
  add(entries: readonly Revocation[], nowSeconds: number): void;
  /** Forgets every entry (a feed reset; a snapshot follows). The overflow floor is kept. */
  clear(): void;
  /** True when a held revocation names the token. */
  refuses(claims: RevocableClaims, nowSeconds: number): boolean;
  /** Drops expired entries. */
  sweep(nowSeconds: number): void;
  /** How many entries are held. */
  readonly size: number;
}

// A subject or client can be revoked, enabled and revoked again: tokens issued (`iat`) up to the
// latest revocation are refused, plus this allowance for the clocks of the authorization server's
// replicas and its database being a little apart.
const SKEW_SECONDS = 5;

interface Held {
  revokedAt: number;
  expiresAt: number;
}

/**
 * A bounded set of revocations: by grant id, token id (`jti`), subject and client. Each entry is
 * held until its `expiresAt` (the latest expiry of any token it can refuse), then dropped. A
 * grant or token entry refuses any token carrying it; a subject or client entry refuses tokens
 * issued (`iat`) before its revocation (plus 5 s of clock skew), so one enabled again gets
 * working tokens again.
 *
 * At most `maxEntries` are held. Past that, the oldest revocations are dropped, and instead every
 * token issued before the newest dropped one is refused until the dropped ones would have
 * expired (the overflow floor): an overflow refuses too much for a while, never too little.
 *
 * @example
 * const set = createRevocationSet(100_000);
 * set.add([{ kind: 'grant', value: 'g1', revokedAt: 1700000000, expiresAt: 1700000660 }], now);
 * set.refuses({ grant_id: 'g1', iat: 1699999990 }, now); // true
 */
export function createRevocationSet(maxEntries: number): RevocationSet {
  // One map per kind, keyed by value; insertion order is the feed's order (oldest first).
  const maps = {
    grant: new Map<string, Held>(),
    token: new Map<string, Held>(),
    subject: new Map<string, Held>(),
    client: new Map<string, Held>(),
  };
  // Insertion order across kinds, for eviction: [kind, value] pairs, oldest first. Stale pairs
  // (of entries since swept or replaced) are skipped when met.
  let order: Array<readonly [keyof typeof maps, string]> = [];
  // Where the oldest pair not yet evicted sits in `order` (shifting an array is linear).
  let head = 0;
  let floor: Held | undefined;
  let size = 0;

  const evictOldest = () => {
    while (head < order.length) {
      const [kind, value] = order[head] as readonly [keyof typeof maps, string];
      head += 1;
      const held = maps[kind].get(value);
      if (!held) continue;
      maps[kind].delete(value);
      size -= 1;
      floor = {
        revokedAt: Math.max(floor?.revokedAt ?? 0, held.revokedAt),
        expiresAt: Math.max(floor?.expiresAt ?? 0, held.expiresAt),
      };
      return;
    }
  };

  const compact = () => {
    order = order.slice(head).filter(([kind, value]) => maps[kind].has(value));
    head = 0;
  };

  const matches = (map: Map<string, Held>, value: unknown, now: number, iat?: number) => {
    if (typeof value !== 'string') return false;
    const held = map.get(value);
    if (!held || held.expiresAt <= now) return false;
    return iat === undefined || iat <= held.revokedAt + SKEW_SECONDS;
  };

  const set: RevocationSet = {
    add(entries, now) {
      for (const entry of entries) {
        if (entry.expiresAt <= now) continue;
        const map = maps[entry.kind];
        const held = map.get(entry.value);
        if (held) {
          held.revokedAt = Math.max(held.revokedAt, entry.revokedAt);
          held.expiresAt = Math.max(held.expiresAt, entry.expiresAt);
          continue;
        }
        map.set(entry.value, { revokedAt: entry.revokedAt, expiresAt: entry.expiresAt });
        order.push([entry.kind, entry.value]);
        size += 1;
        while (size > maxEntries) evictOldest();
      }
      // The order list only grows by what was added; compact it when stale pairs pile up.
      if (order.length > 2 * maxEntries || head > maxEntries) compact();
    },

    clear() {
      for (const map of Object.values(maps)) map.clear();
      order = [];
      head = 0;
      size = 0;
    },

    refuses(claims, now) {
      const iat = typeof claims.iat === 'number' ? claims.iat : Number.NEGATIVE_INFINITY;
      if (floor !== undefined) {
        if (floor.expiresAt <= now) floor = undefined;
        else if (iat <= floor.revokedAt + SKEW_SECONDS) return true;
      }
      if (size === 0) return false;
      return (
        matches(maps.token, claims.jti, now) ||
        matches(maps.grant, claims.grant_id, now) ||
        matches(maps.subject, claims.sub, now, iat) ||
        matches(maps.client, claims.client_id, now, iat)
      );
    },

    sweep(now) {
      for (const map of Object.values(maps)) {
        for (const [value, held] of map) {
          if (held.expiresAt <= now) {
            map.delete(value);
            size -= 1;
          }
        }
      }
      if (order.length - head > 2 * size + 1024) compact();
    },

    get size() {
      return size;
    },
  };
  return set;
}
