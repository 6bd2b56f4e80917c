import { randomBytes } from 'node:crypto';
import { createKeysRepository } from '@portcullis/storage';
import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test, { type ExecutionContext } from 'ava';
import Provider from 'oidc-provider';
import { loadSigningKeys, type PrivateJwk } from '../src/index.ts';
import { createKeyWatcher } from '../src/keys/key-watcher.ts';
import { createProviderSwap } from '../src/keys/provider-swap.ts';
import { ensureActiveKeys, generateSigningKey, providerKeySet } from '../src/keys/signing-keys.ts';

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

const policy = { minimumTokenLifetimeSeconds: 3600, leewaySeconds: 300 };

/** A database of its own, for tests that need an exact key history. */
async function freshKeys(t: ExecutionContext) {
  const own = await createTestDatabase();
  t.teardown(() => own.drop());
  return { db: own.db, keys: createKeysRepository(own.db) };
}

test('the database allows one active and one next key per algorithm', async (t) => {
  const { db, keys } = await freshKeys(t);
  const kek = randomBytes(32);
  await loadSigningKeys(keys, kek);
  const extra = await generateSigningKey('ES256', kek);
  const row = {
    kid: extra.kid,
    alg: 'ES256',
    public_jwk: JSON.stringify(extra.publicJwk),
    private_jwk_encrypted: extra.privateJwkEncrypted,
  };
  await t.throwsAsync(db('signing_keys').insert({ ...row, state: 'active' }), { code: '23505' });
  await t.throwsAsync(db('signing_keys').insert({ ...row, state: 'next' }), { code: '23514' });
  await keys.stage([extra], { activatesInSeconds: 60, actor: 'test' });
  const another = await generateSigningKey('ES256', kek);
  await t.throwsAsync(keys.stage([another], { activatesInSeconds: 60, actor: 'test' }), {
    message: new RegExp(`a rotation of ES256 is already staged: key ${extra.kid}`),
  });
});

test('replicas racing through a due step: exactly one performs it', async (t) => {
  const { db, keys } = await freshKeys(t);
  const kek = randomBytes(32);
  const [old] = await ensureActiveKeys(keys, kek).then((all) =>
    all.filter((k) => k.alg === 'ES256'),
  );
  const next = await generateSigningKey('ES256', kek);
  await keys.stage([next], { activatesInSeconds: 0, actor: 'test' });
  const results = await Promise.all(Array.from({ length: 6 }, () => keys.advance(policy)));
  t.is(results.flatMap((r) => r.activated).length, 1);
  t.is(results.flatMap((r) => r.retired).length, 1);
  const after = await keys.list();
  t.is(after.find((k) => k.kid === next.kid)?.state, 'active');
  const retired = after.find((k) => k.kid === old?.kid);
  t.is(retired?.state, 'retired');
  // Nothing on the database lives longer than the ID token: 3600 s, plus the leeway.
  t.is(((retired?.removesAt?.getTime() ?? 0) - (retired?.retiredAt?.getTime() ?? 0)) / 1000, 3900);
  t.is((await db('audit_events').where({ type: 'key.activated', actor: 'system' })).length, 3);

  await db('signing_keys').where({ kid: old?.kid }).update({ removes_at: db.fn.now() });
  const removals = await Promise.all(Array.from({ length: 6 }, () => keys.advance(policy)));
  t.deepEqual(
    removals.flatMap((r) => r.removed.map((k) => k.kid)),
    [old?.kid],
  );
  t.false((await keys.list()).some((k) => k.kid === old?.kid));
});

test('the provider key set: active keys first and the only ones that may sign', async (t) => {
  const { keys } = await freshKeys(t);
  const kek = randomBytes(32);
  await ensureActiveKeys(keys, kek);
  const next = await generateSigningKey('ES256', kek);
  await keys.stage([next], { activatesInSeconds: 600, actor: 'test' });
  const set = providerKeySet(await keys.list(), kek);
  t.deepEqual(
    set.map((k) => k.key_ops),
    [undefined, undefined, ['verify']],
  );
  t.is(set[2]?.kid, next.kid);
  t.truthy(set[2]?.d, 'oidc-provider takes private keys, and publishes only their public parts');
});

test('the watcher follows notifications and its own timer', async (t) => {
  const { keys } = await freshKeys(t);
  const kek = randomBytes(32);
  const changes: PrivateJwk[][] = [];
  let changed: () => void = () => {};
  const watcher = createKeyWatcher({
    keys,
    keyEncryptionKey: kek,
    onKeys(jwks) {
      changes.push(jwks);
      changed();
    },
    onError: (error) => t.fail(String(error)),
  });
  t.teardown(() => watcher.close());
  const initial = await watcher.start();
  t.deepEqual(initial.map((k) => k.alg).sort(), ['ES256', 'RS256']);

  // Told of a change: the staged key is published at once, not signing.
  const next = await generateSigningKey('ES256', kek);
  await keys.stage([next], { activatesInSeconds: 1, actor: 'test' });
  await watcher.refresh();
  t.is(changes.length, 1);
  t.deepEqual(changes[0]?.find((k) => k.kid === next.kid)?.key_ops, ['verify']);

  // Told nothing more: its timer performs the activation when it is due.
  await new Promise<void>((resolve) => {
    changed = resolve;
  });
  t.is(changes.length, 2);
  const activeNow = changes[1]?.filter((k) => k.key_ops === undefined).map((k) => k.kid);
  t.true(activeNow?.includes(next.kid));

  // Nothing changed: no new instance.
  await watcher.refresh();
  t.is(changes.length, 2);
});

test('the provider swap: the stand-in reaches the current instance, methods and classes alike', async (t) => {
  const kek = randomBytes(32);
  const { keys } = await freshKeys(t);
  await ensureActiveKeys(keys, kek);
  const build = (jwks: PrivateJwk[]) =>
    new Provider('http://127.0.0.1:1', {
      jwks: { keys: jwks } as never,
      // Never used here; given so that oidc-provider does not warn about its development ones.
      adapter: class {} as never,
      features: { devInteractions: { enabled: false } },
    });
  const swap = createProviderSwap(build, providerKeySet(await keys.list(), kek));
  const first = swap.current;
  t.true(swap.provider instanceof Provider);
  t.is(swap.provider.issuer, 'http://127.0.0.1:1');
  t.is(
    typeof swap.provider.Grant.find,
    'function',
    'static methods of model classes stay reachable',
  );
  t.is(
    swap.provider.cookieName('session'),
    first.cookieName('session'),
    'methods run on the instance',
  );
  swap.swap(providerKeySet(await keys.list(), kek));
  t.not(swap.current, first);
  t.is(swap.provider.Grant, swap.current.Grant);
});
