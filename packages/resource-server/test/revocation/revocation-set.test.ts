import test from 'ava';
import { createRevocationSet, type Revocation } from '../../src/revocation/revocation-set.ts';

const NOW = 1_800_000_000;
const entry = (
  kind: Revocation['kind'],
  value: string,
  ttl = 660,
  revokedAt = NOW,
): Revocation => ({
  kind,
  value,
  revokedAt,
  expiresAt: revokedAt + ttl,
});

test('a grant or token entry refuses any token carrying it; others pass', (t) => {
  const set = createRevocationSet(1000);
  set.add([entry('grant', 'g1'), entry('token', 'jti-1')], NOW);
  t.true(set.refuses({ grant_id: 'g1', jti: 'x', sub: 'u', client_id: 'c', iat: NOW + 100 }, NOW));
  t.true(set.refuses({ jti: 'jti-1', sub: 'u', client_id: 'c', iat: NOW - 10 }, NOW));
  t.false(set.refuses({ grant_id: 'g2', jti: 'jti-2', sub: 'u', client_id: 'c', iat: NOW }, NOW));
  t.false(
    set.refuses({ grant_id: 42, jti: ['jti-1'], iat: NOW }, NOW),
    'non-string claims match nothing',
  );
});

test('a subject or client entry refuses tokens issued up to the revocation (+5 s skew), not later ones', (t) => {
  const set = createRevocationSet(1000);
  set.add([entry('subject', 'alice'), entry('client', 'batch')], NOW);
  t.true(set.refuses({ sub: 'alice', iat: NOW - 300 }, NOW));
  t.true(set.refuses({ sub: 'alice', iat: NOW + 5 }, NOW + 6));
  t.false(
    set.refuses({ sub: 'alice', iat: NOW + 6 }, NOW + 6),
    'issued after: the user was enabled again',
  );
  t.true(set.refuses({ client_id: 'batch', sub: 'batch', iat: NOW }, NOW));
  t.true(set.refuses({ sub: 'alice' }, NOW), 'no iat: refused');
  // Revoked again later: the later revocation counts.
  set.add([entry('subject', 'alice', 660, NOW + 100)], NOW + 100);
  t.is(set.size, 2, 'one entry per subject');
  t.true(set.refuses({ sub: 'alice', iat: NOW + 90 }, NOW + 100));
});

test('entries refuse nothing past their expiry and are swept', (t) => {
  const set = createRevocationSet(1000);
  set.add([entry('grant', 'short', 10), entry('grant', 'long', 600)], NOW);
  set.add([entry('grant', 'already-expired', -1)], NOW);
  t.is(set.size, 2, 'an expired entry is not even added');
  t.false(set.refuses({ grant_id: 'short', iat: NOW }, NOW + 10));
  t.true(set.refuses({ grant_id: 'long', iat: NOW }, NOW + 10));
  set.sweep(NOW + 10);
  t.is(set.size, 1);
  set.sweep(NOW + 600);
  t.is(set.size, 0);
});

test('clear forgets every entry (a feed reset)', (t) => {
  const set = createRevocationSet(1000);
  set.add([entry('grant', 'g'), entry('subject', 's')], NOW);
  set.clear();
  t.is(set.size, 0);
  t.false(set.refuses({ grant_id: 'g', sub: 's', iat: NOW }, NOW));
});

test('10,000 revocations stay within the cap; what overflowed is refused by issue time instead', (t) => {
  const cap = 1000;
  const set = createRevocationSet(cap);
  for (let i = 0; i < 10_000; i += 1) {
    // Revoked one a second apart, in feed order, all still live at the end.
    set.add([entry('grant', `grant-${i}`, 20_000, NOW + i)], NOW + i);
    t.true(set.size <= cap);
  }
  const now = NOW + 10_000;
  t.is(set.size, cap);
  // Held: the newest 1000. Dropped: the older ones, whose tokens are refused by `iat`.
  t.true(set.refuses({ grant_id: 'grant-9999', iat: now }, now));
  t.true(
    set.refuses({ grant_id: 'grant-8999', iat: NOW + 8999 }, now),
    'dropped: refused by the floor',
  );
  t.true(
    set.refuses({ grant_id: 'anything', iat: NOW + 9004 }, now),
    'issued before the newest dropped one (+ skew)',
  );
  t.false(set.refuses({ grant_id: 'anything', iat: NOW + 9006 }, now), 'issued after: accepted');
  // The floor lasts as long as the dropped entries would have: afterwards old tokens have expired.
  t.false(set.refuses({ grant_id: 'anything', iat: NOW }, NOW + 8999 + 20_000));

  // Without the cap in the way, the set holds all 10,000 and empties once they expire.
  const big = createRevocationSet(100_000);
  const entries = Array.from({ length: 10_000 }, (_, i) => entry('token', `jti-${i}`, 600));
  big.add(entries, NOW);
  t.is(big.size, 10_000);
  big.sweep(NOW + 600);
  t.is(big.size, 0);
});
