import { createAuditRepository } from '@portcullis/storage';
import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import { adminClient, adminFetch, startAdminServer } from './admin-fixtures.ts';

let database: TestDatabase;
let api: string;
let close: () => Promise<void>;
let keeper: Awaited<ReturnType<typeof adminClient>>;
let writer: Awaited<ReturnType<typeof adminClient>>;

test.before(async () => {
  database = await createTestDatabase();
  const started = await startAdminServer(database);
  ({ api } = started);
  close = () => started.server.close();
  keeper = await adminClient(database, started.url, ['admin:read', 'admin:keys']);
  writer = await adminClient(database, started.url, ['admin:read', 'admin:write']);
});
test.after.always(async () => {
  await close?.();
  await database?.drop();
});

interface Key {
  kid: string;
  alg: string;
  state: string;
  activates_at: string | null;
}

test.serial('refusals: admin:keys only, and the options as keys rotate checks them', async (t) => {
  const other = await writer.token();
  const denied = await adminFetch(api, '/keys/rotations', { token: other, method: 'POST' });
  t.is(denied.response.status, 403);
  t.is(denied.json.error, 'insufficient_scope');
  const token = await keeper.token();
  for (const [body, pointer] of [
    [{ revoke_old: true }, '/revoke_old'],
    [{ now: true, propagation: '1h' }, '/propagation'],
    [{ propagation: '0s' }, '/propagation'],
    [{ propagation: '31d' }, '/propagation'],
    [{ algorithms: ['HS256'] }, '/algorithms/0'],
    [{ now: 'yes' }, '/now'],
  ] as const) {
    const reply = await adminFetch(api, '/keys/rotations', { token, method: 'POST', body });
    t.is(reply.response.status, 400, JSON.stringify(body));
    t.is(reply.json.errors[0].pointer, pointer, JSON.stringify(body));
  }
});

test.serial(
  'list the keys, stage a rotation (409 while it waits), then rotate at once revoking the old ones; audited with the calling client',
  async (t) => {
    const token = await keeper.token();
    const listed = await adminFetch(api, '/keys', { token });
    t.is(listed.response.status, 200);
    const active = (listed.json.items as Key[]).filter((k) => k.state === 'active');
    t.true(active.length > 0);
    t.false(JSON.stringify(listed.json).includes('"d"'), 'no private part');

    const staged = await adminFetch(api, '/keys/rotations', {
      token,
      method: 'POST',
      body: { propagation: '15m', algorithms: ['ES256'] },
    });
    t.is(staged.response.status, 201);
    t.is(staged.json.propagation_seconds, 900);
    t.deepEqual(
      staged.json.staged.map((k: Key) => [k.alg, k.state]),
      [['ES256', 'next']],
    );
    const again = await adminFetch(api, '/keys/rotations', { token, method: 'POST', body: {} });
    t.is(again.response.status, 409);
    t.is(again.json.type, 'urn:portcullis:problem:conflict');

    const now = await adminFetch(api, '/keys/rotations', {
      token,
      method: 'POST',
      body: { now: true, revoke_old: true, algorithms: ['ES256'] },
    });
    t.is(now.response.status, 201);
    t.is(now.json.activated.length, 1);
    t.true(now.json.replaced.some((k: Key) => k.state === 'removed'));

    const actor = `client:${keeper.clientId}`;
    const types = (await createAuditRepository(database.db).list({ limit: 500 }))
      .filter((e) => e.actor === actor)
      .map((e) => e.type);
    t.true(types.includes('key.staged'));
    t.true(types.includes('key.activated'));
    t.true(types.includes('key.removed'));

    // Tokens signed by the new key are accepted once the server signs with it and the API has
    // refetched the issuer's JWKS (at most a second apart): asked until then, 5 s at most.
    const rotatedAt = Date.now();
    let status = 0;
    while (status !== 200 && Date.now() - rotatedAt < 5000) {
      status = (await adminFetch(api, '/keys', { token: await keeper.token() })).response.status;
    }
    t.is(status, 200);
  },
);
