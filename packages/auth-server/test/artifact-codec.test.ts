import { createHash, randomBytes } from 'node:crypto';
import test from 'ava';
import { createArtifactCodec } from '../src/provider/artifact-codec.ts';
import { artifactDigest, openFields, sealFields } from '../src/secrets/artifact-secrets.ts';

const codec = createArtifactCodec(randomBytes(32));
const UID = 'interaction-uid-with-256-bits-of-randomness';

test('the digest is SHA-256 of the value, base64url (what migration 0009 computes in SQL)', (t) => {
  t.is(artifactDigest('abc'), createHash('sha256').update('abc').digest('base64url'));
  t.regex(artifactDigest('abc'), /^[\w-]{43}$/);
});

test('a token: stored under its digest without jti, found with it back', (t) => {
  const payload = { jti: 'rt-1', kind: 'RefreshToken', grantId: 'g-1', clientId: 'app' };
  const stored = codec.encode('RefreshToken', 'rt-1', payload);
  t.is(stored.id, artifactDigest('rt-1'));
  t.deepEqual(stored.payload, { kind: 'RefreshToken', grantId: 'g-1', clientId: 'app' });
  t.is(codec.key('RefreshToken', 'rt-1'), stored.id);
  t.deepEqual(codec.decode('RefreshToken', 'rt-1', stored.payload), payload);
});

test('a grant is stored as it is: its id is no secret', (t) => {
  const payload = { jti: 'g-1', kind: 'Grant', accountId: 'alice' };
  t.deepEqual(codec.encode('Grant', 'g-1', payload), { id: 'g-1', payload });
  t.is(codec.key('Grant', 'g-1'), 'g-1');
});

test('an interaction: the session id, device code, PAR id and return URL sealed under its uid', (t) => {
  const payload = {
    jti: UID,
    returnTo: `https://as.example/auth/${UID}`,
    session: { accountId: 'alice', uid: 'session-uid', cookie: 'session-id-secret' },
    deviceCode: 'device-code-secret',
    parJti: 'par-secret',
    params: { client_id: 'app' },
  };
  const stored = codec.encode('Interaction', UID, payload);
  const text = JSON.stringify(stored);
  for (const secret of [UID, 'session-id-secret', 'device-code-secret', 'par-secret']) {
    t.false(text.includes(secret), secret);
  }
  t.deepEqual(stored.payload.params, { client_id: 'app' });
  t.deepEqual(codec.decode('Interaction', UID, stored.payload), payload);
  t.is(codec.decode('Interaction', 'another-uid', stored.payload), undefined, 'wrong key: nothing');
});

test('a device code: its user code keyed-hashed; found by the user code, with its own value', (t) => {
  const payload = { jti: 'dc-1', kind: 'DeviceCode', userCode: 'BCDFGHJK', clientId: 'tv' };
  const stored = codec.encode('DeviceCode', 'dc-1', payload);
  t.false(JSON.stringify(stored).includes('BCDFGHJK'));
  t.false(JSON.stringify(stored).includes('dc-1'));
  t.is(stored.userCode, codec.userCodeKey('BCDFGHJK'));
  t.not(
    codec.userCodeKey('BCDFGHJK'),
    createArtifactCodec(randomBytes(32)).userCodeKey('BCDFGHJK'),
  );
  t.deepEqual(codec.decode('DeviceCode', 'dc-1', stored.payload), payload);
  t.deepEqual(codec.decodeByUserCode('DeviceCode', 'BCDFGHJK', stored.payload), payload);
  t.is(codec.decodeByUserCode('DeviceCode', 'BCDFGHJX', stored.payload), undefined);
});

test('without the key-encryption key, a user code is refused', (t) => {
  const keyless = createArtifactCodec();
  t.throws(() => keyless.encode('DeviceCode', 'dc-1', { userCode: 'BCDFGHJK' }), {
    message: /key-encryption key/,
  });
  t.is(keyless.encode('AccessToken', 'at-1', { jti: 'at-1' }).id, artifactDigest('at-1'));
});

test('a sealed value opens only with its key and unchanged', (t) => {
  const key = randomBytes(32);
  const sealed = sealFields(key, { a: 1 });
  t.deepEqual(openFields(key, sealed), { a: 1 });
  t.is(openFields(randomBytes(32), sealed), undefined);
  const bytes = Buffer.from(sealed, 'base64url');
  bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) ^ 1;
  t.is(openFields(key, bytes.toString('base64url')), undefined);
  t.is(openFields(key, 'short'), undefined);
  t.is(openFields(key, 42), undefined);
});
