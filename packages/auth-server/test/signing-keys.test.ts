import { randomBytes } from 'node:crypto';
import { createKeysRepository } from '@portcullis/storage';
import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import { loadSigningKeys } from '../src/index.ts';

let database: TestDatabase;
test.before(async () => {
  database = await createTestDatabase();
});
test.after.always(async () => {
  await database?.drop();
});

test('keys are created once, stored encrypted, and need the right key-encryption key', async (t) => {
  const kek = randomBytes(32);
  const keys = createKeysRepository(database.db);
  const [first, second] = await Promise.all([
    loadSigningKeys(keys, kek),
    loadSigningKeys(keys, kek),
  ]);
  t.deepEqual(
    first?.map((k) => k.kid).sort(),
    second?.map((k) => k.kid).sort(),
    'concurrent starts agree on one key set',
  );
  t.deepEqual(first?.map((k) => k.alg).sort(), ['ES256', 'RS256']);
  const rows = await database.db('signing_keys');
  t.is(rows.length, 2);
  for (const row of rows) {
    t.is(row.state, 'active');
    t.false('d' in row.public_jwk, 'no private part in the public JWK');
    t.regex(row.private_jwk_encrypted, /^v1\./);
    t.false(row.private_jwk_encrypted.includes('"d"'));
  }
  await t.throwsAsync(loadSigningKeys(keys, randomBytes(32)), {
    message: /PORTCULLIS_KEY_ENCRYPTION_KEY is not the key they were stored with/,
  });
});
