import { createHash, randomBytes } from 'node:crypto';
import {
  createArtifactsRepository,
  createClientsRepository,
  createDatabase,
} from '@portcullis/storage';
import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import type Koa from 'koa';
import { createAdapterClass } from '../src/provider/adapter.ts';
import {
  currentRequest,
  type RequestContext,
  requestContextMiddleware,
} from '../src/provider/request-context.ts';
import { createClientRegistry } from '../src/registry/client-registry.ts';
import { seedClient, seedResource } from './helpers.ts';

let database: TestDatabase;
let Adapter: ReturnType<typeof createAdapterClass>;
test.before(async () => {
  database = await createTestDatabase();
  await seedResource(database);
  Adapter = createAdapterClass({
    artifacts: createArtifactsRepository(database.db),
    clients: createClientRegistry({ clients: createClientsRepository(database.db) }),
    userCodeSecret: randomBytes(32),
  });
});
test.after.always(async () => {
  await database?.drop();
});

test('upsert and find, with the consumption time folded into the payload', async (t) => {
  const codes = new Adapter('AuthorizationCode');
  await codes.upsert('code-1', { grantId: 'g-1', accountId: 'alice' }, 60);
  // The value is stored only as a digest; oidc-provider's `jti` comes back from the lookup.
  t.deepEqual(await codes.find('code-1'), { grantId: 'g-1', accountId: 'alice', jti: 'code-1' });
  await codes.consume('code-1');
  const consumed = await codes.find('code-1');
  t.is(typeof consumed?.consumed, 'number');
  t.is(await codes.find('missing'), undefined);
});

test('findByUid and findByUserCode', async (t) => {
  const sessions = new Adapter('Session');
  await sessions.upsert('s-1', { uid: 'uid-1' }, 60);
  t.deepEqual(await sessions.findByUid('uid-1'), { uid: 'uid-1' });
  const devices = new Adapter('DeviceCode');
  await devices.upsert('d-1', { userCode: 'BCDF-GHJK' }, 60);
  t.deepEqual(await devices.findByUserCode('BCDF-GHJK'), { userCode: 'BCDF-GHJK', jti: 'd-1' });
});

test('a second consume of a single-use artifact is invalid_grant; 20 racing consumers, one winner', async (t) => {
  const refresh = new Adapter('RefreshToken');
  await refresh.upsert('rt-race', { grantId: 'g-race' }, 60);
  const outcomes = await Promise.allSettled(
    Array.from({ length: 20 }, () => refresh.consume('rt-race')),
  );
  t.is(outcomes.filter((o) => o.status === 'fulfilled').length, 1);
  for (const o of outcomes.filter((o) => o.status === 'rejected')) {
    t.is((o as PromiseRejectedResult).reason.error, 'invalid_grant');
  }
});

test('destroy and revokeByGrantId', async (t) => {
  const codes = new Adapter('AuthorizationCode');
  const tokens = new Adapter('RefreshToken');
  await codes.upsert('c-2', { grantId: 'g-2' }, 60);
  await tokens.upsert('r-2', { grantId: 'g-2' }, 60);
  await tokens.upsert('r-3', { grantId: 'g-3' }, 60);
  await codes.destroy('c-2');
  t.is(await codes.find('c-2'), undefined);
  await tokens.revokeByGrantId('g-2');
  t.is(await tokens.find('r-2'), undefined);
  t.truthy(await tokens.find('r-3'));
});

test('clients come from the database, never from upsert', async (t) => {
  const { clientId } = await seedClient(database);
  const clients = new Adapter('Client');
  const metadata = await clients.find(clientId);
  t.is(metadata?.client_id, clientId);
  // Token exchange is there for every client; its handler decides who may use it.
  t.deepEqual(metadata?.grant_types, [
    'client_credentials',
    'urn:ietf:params:oauth:grant-type:token-exchange',
  ]);
  t.is(metadata?.token_endpoint_auth_method, 'client_secret_basic');
  t.is(await clients.find('unknown-client'), undefined);
  await t.throwsAsync(clients.upsert('x', {}, undefined));
});

test('an unreachable database becomes 503 temporarily_unavailable', async (t) => {
  const dead = createDatabase('postgres://postgres@127.0.0.1:1/none', { acquireTimeoutMs: 500 });
  t.teardown(() => dead.destroy());
  const DeadAdapter = createAdapterClass({
    artifacts: createArtifactsRepository(dead),
    clients: createClientRegistry({ clients: createClientsRepository(dead) }),
  });
  for (const work of [
    () => new DeadAdapter('Session').find('x'),
    () => new DeadAdapter('Client').find('x'),
  ]) {
    const error = await t.throwsAsync(work());
    t.is((error as unknown as { statusCode: number }).statusCode, 503);
    t.is((error as unknown as { error: string }).error, 'temporarily_unavailable');
  }
});

// Runs `work` as if oidc-provider served `route` and answered 503 (which drops held writes), and
// returns what the adapter told the request.
async function onRoute(route: string, work: () => Promise<unknown>) {
  const ctx = { status: 503, oidc: { route } } as unknown as Koa.Context;
  let context: RequestContext | undefined;
  let outcome: unknown;
  await requestContextMiddleware()(ctx, async () => {
    context = currentRequest();
    outcome = await work().catch((error: unknown) => error);
  });
  return { context, outcome };
}

test('refresh-token reuse at the token route: refused within the grace window, signalled either way', async (t) => {
  const artifacts = createArtifactsRepository(database.db);
  const clients = createClientRegistry({ clients: createClientsRepository(database.db) });
  const Graced = createAdapterClass({ artifacts, clients, refreshReuseGraceSeconds: 60 });
  const tokens = new Graced('RefreshToken');
  await tokens.upsert('rt-reused', { grantId: 'g-reused' }, 60);
  await tokens.consume('rt-reused');

  const within = await onRoute('token', () => tokens.find('rt-reused'));
  t.is((within.outcome as { error?: string }).error, 'invalid_grant');
  t.is(within.context?.refreshTokenReuse, 'within_grace_window');

  const elsewhere = await onRoute('revocation', () => tokens.find('rt-reused'));
  t.is(typeof (elsewhere.outcome as { consumed?: number }).consumed, 'number', 'found as usual');
  t.is(elsewhere.context?.refreshTokenReuse, undefined);

  const after = await onRoute('token', async () => {
    const found = await new Adapter('RefreshToken').find('rt-reused');
    t.is(typeof found?.consumed, 'number', 'after the window oidc-provider sees it consumed');
    t.is(currentRequest()?.refreshTokenReuse, undefined, 'not yet: nothing was refused');
    await new Adapter('RefreshToken').destroy('rt-reused');
  });
  t.is(after.context?.refreshTokenReuse, 'grant_revoked');
});

test('at the token route a consumption waits for the answer; elsewhere it is written at once', async (t) => {
  const codes = new Adapter('AuthorizationCode');
  await codes.upsert('code-held', { grantId: 'g-held' }, 60);
  const { context } = await onRoute('token', () => codes.consume('code-held'));
  // Held under the key it is stored by: the digest of the value.
  const id = createHash('sha256').update('code-held').digest('base64url');
  t.deepEqual(context?.held?.consumed, [{ model: 'AuthorizationCode', id }]);
  t.is((await codes.find('code-held'))?.consumed, undefined, 'held, then dropped by the 503');
  await onRoute('introspection', () => codes.consume('code-held'));
  t.is(typeof (await codes.find('code-held'))?.consumed, 'number');
});
