import test from 'ava';
import { createExpiringCache, tokenCacheKey } from '../../src/cache/expiring-cache.ts';

const NOW = 1_800_000_000_000;

test('an entry is served until, and never at or after, its expiry', (t) => {
  const cache = createExpiringCache<string>(10);
  cache.set('a', 'value', NOW + 60_000, NOW);
  t.is(cache.get('a', NOW), 'value');
  t.is(cache.get('a', NOW + 59_999), 'value');
  t.is(cache.get('a', NOW + 60_000), undefined);
  t.is(cache.get('a', NOW), undefined, 'an expired entry is gone for good');
  t.is(cache.get('missing', NOW), undefined);
});

test('a value already expired is not stored, and does not replace a live one', (t) => {
  const cache = createExpiringCache<string>(10);
  cache.set('a', 'live', NOW + 1000, NOW);
  cache.set('a', 'dead', NOW, NOW);
  cache.set('b', 'dead', NOW - 1, NOW);
  t.is(cache.get('a', NOW), 'live');
  t.is(cache.get('b', NOW), undefined);
});

test('when full, the oldest entry goes first', (t) => {
  const cache = createExpiringCache<string>(2);
  cache.set('a', 'A', NOW + 60_000, NOW);
  cache.set('b', 'B', NOW + 60_000, NOW);
  cache.set('c', 'C', NOW + 60_000, NOW);
  t.is(cache.get('a', NOW), undefined, 'evicted');
  t.is(cache.get('b', NOW), 'B');
  t.is(cache.get('c', NOW), 'C');
});

test('setting a key again replaces its value and makes it the newest', (t) => {
  const cache = createExpiringCache<string>(2);
  cache.set('a', 'A1', NOW + 60_000, NOW);
  cache.set('b', 'B', NOW + 60_000, NOW);
  cache.set('a', 'A2', NOW + 60_000, NOW);
  t.is(cache.get('a', NOW), 'A2');
  t.is(cache.get('b', NOW), 'B', 'replacing a key evicts nothing');
  cache.set('c', 'C', NOW + 60_000, NOW);
  t.is(cache.get('b', NOW), undefined, 'b is now the oldest');
  t.is(cache.get('a', NOW), 'A2');
  t.is(cache.get('c', NOW), 'C');
});

test('expired entries at the head make room before a live entry is evicted', (t) => {
  const cache = createExpiringCache<string>(3);
  cache.set('short1', 'S1', NOW + 1000, NOW);
  cache.set('short2', 'S2', NOW + 1000, NOW);
  cache.set('long', 'L', NOW + 60_000, NOW);
  const later = NOW + 2000;
  cache.set('new1', 'N1', NOW + 60_000, later);
  cache.set('new2', 'N2', NOW + 60_000, later);
  t.is(cache.get('long', later), 'L', 'the live entry outlives the expired ones older than it');
  t.is(cache.get('new1', later), 'N1');
  t.is(cache.get('new2', later), 'N2');
});

test('a token key is its SHA-256 digest, equal only for the exact same string', (t) => {
  const token = 'eyJhbGciOiJFUzI1NiJ9.e30.sig';
  t.is(tokenCacheKey(token), tokenCacheKey(token));
  t.not(tokenCacheKey(token), tokenCacheKey(`${token} `));
  t.regex(tokenCacheKey(token), /^[A-Za-z0-9_-]{43}$/);
  t.false(tokenCacheKey(token).includes(token));
});
