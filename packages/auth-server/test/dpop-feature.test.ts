import { randomBytes } from 'node:crypto';
import test from 'ava';
import { dpopFeature } from '../src/provider/create-provider.ts';

test('without nonces, DPoP is on and needs no secret', (t) => {
  t.deepEqual(dpopFeature({ dpopNonce: false, keyEncryptionKey: randomBytes(32) }), {
    enabled: true,
  });
});

test('the nonce secret is 32 bytes derived from the key-encryption key: the same on every replica', (t) => {
  const keyEncryptionKey = randomBytes(32);
  const one = dpopFeature({ dpopNonce: true, keyEncryptionKey });
  const other = dpopFeature({ dpopNonce: true, keyEncryptionKey: Buffer.from(keyEncryptionKey) });
  t.true(one.requireNonce?.());
  t.is(one.nonceSecret?.length, 32);
  t.deepEqual(one.nonceSecret, other.nonceSecret);
  // A key of its own, not the key-encryption key itself.
  t.notDeepEqual(one.nonceSecret, keyEncryptionKey);
  const another = dpopFeature({ dpopNonce: true, keyEncryptionKey: randomBytes(32) });
  t.notDeepEqual(one.nonceSecret, another.nonceSecret);
});
