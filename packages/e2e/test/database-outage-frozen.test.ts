import { createDatabase, type Database } from '@portcullis/storage';
import {
  createTestDatabase,
  type FreezableProxy,
  startFreezableProxy,
  type TestDatabase,
} from '@portcullis/storage/testing';
import test from 'ava';
import { type Stack, startStack } from '../src/index.ts';
import {
  authorizationCodeGrant,
  type OutageClients,
  postForm,
  REPORTS,
  registerOutageClients,
} from './database-outage-fixtures.ts';

// A database that stops answering without closing anything — a network partition, a frozen
// host — is worse than one that is down: nothing fails, everything waits, for the many minutes
// TCP takes to give up. Between the server and PostgreSQL sits a proxy that can freeze (accept
// and hold every byte, forward nothing) and thaw. While frozen, every request must still be
// answered (503 with Retry-After) within a bound; once thawed, the server must recover by
// itself, its pool no longer clogged with connections waiting for answers.

/** The pool `serve` uses (runtime.ts SERVER_DATABASE), with shorter timeouts for the test. */
const POOL = { acquireTimeoutMs: 1000, queryTimeoutMs: 1000 };
const ANSWER_BOUND_MS = 10_000;
const RECOVERY_BOUND_MS = 10_000;

let database: TestDatabase;
let proxy: FreezableProxy;
/** The test database's URL, through the proxy. */
let proxied: string;
let db: Database;
let stack: Stack;
let clients: OutageClients;

test.before(async () => {
  database = await createTestDatabase();
  const direct = new URL(database.url);
  proxy = await startFreezableProxy(Number(direct.port || 5432));
  const url = new URL(database.url);
  url.hostname = '127.0.0.1';
  url.port = String(proxy.port);
  proxied = url.toString();
  db = createDatabase(proxied, POOL);
  stack = await startStack(db, proxied);
  clients = await registerOutageClients(stack);
});
test.after.always(async () => {
  await stack?.stop();
  await db?.destroy();
  await proxy?.close();
  await database?.drop();
});

test.serial(
  'PostgreSQL stops answering: every request still answered 503 within the bound; recovery once it answers again',
  async (t) => {
    const tokenUrl = `${stack.issuer}/token`;
    const opaqueForm = {
      grant_type: 'client_credentials',
      resource: REPORTS,
      scope: 'reports:read',
    };
    const opaque = (await postForm(tokenUrl, clients.dashboard, opaqueForm)).body
      .access_token as string;
    const grant = await authorizationCodeGrant(stack, clients.app);
    const requests = {
      token: () => postForm(tokenUrl, clients.dashboard, opaqueForm, ANSWER_BOUND_MS),
      refresh: () =>
        postForm(
          tokenUrl,
          clients.app,
          { grant_type: 'refresh_token', refresh_token: grant.tokens.refresh_token as string },
          ANSWER_BOUND_MS,
        ),
      introspection: () =>
        postForm(
          `${stack.issuer}/token/introspection`,
          clients.reportsApi,
          { token: opaque },
          ANSWER_BOUND_MS,
        ),
      revocation: () =>
        postForm(
          `${stack.issuer}/token/revocation`,
          clients.dashboard,
          { token: 'not-a-token' },
          ANSWER_BOUND_MS,
        ),
    };

    proxy.freeze();
    // More requests at once than the pool has connections: some wait for an answer, the others
    // for a connection.
    const started = Date.now();
    const answers = await Promise.all(
      Array.from({ length: 3 }, () => Object.values(requests).map((request) => request())).flat(),
    );
    const readyz = await fetch(`${stack.issuer}/readyz`, {
      signal: AbortSignal.timeout(ANSWER_BOUND_MS),
    });
    const took = Date.now() - started;
    t.log(`${answers.length} requests answered in ${took} ms while frozen`);
    t.deepEqual(
      answers.map((a) => [a.status, a.retryAfter, a.body.error]),
      answers.map(() => [503, '5', 'temporarily_unavailable']),
    );
    t.is(readyz.status, 503);
    t.true(took < ANSWER_BOUND_MS * 2);

    proxy.thaw();
    const thawed = Date.now();
    const recovered: Record<string, number> = {};
    for (const [name, request] of Object.entries(requests)) {
      while (Date.now() - thawed < RECOVERY_BOUND_MS) {
        if ((await request()).status === 200) {
          recovered[name] = Date.now() - thawed;
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    t.log('recovered after (ms)', recovered);
    t.deepEqual(Object.keys(recovered), Object.keys(requests), 'every kind of request works again');
    t.is((await fetch(`${stack.issuer}/readyz`)).status, 200);
    const introspected = await requests.introspection();
    t.true(introspected.body.active, 'the token from before is still active');
  },
);

test.serial(
  'the pool of `serve` answers or gives up: a query that gets no answer fails as unavailable',
  async (t) => {
    const frozenDb = createDatabase(proxied, POOL);
    t.teardown(() => frozenDb.destroy());
    await frozenDb.raw('select 1');
    proxy.freeze();
    t.teardown(() => proxy.thaw());
    const error = await t.throwsAsync(frozenDb.raw('select 1'));
    t.regex(error?.message ?? '', /Query read timeout/);
    proxy.thaw();
    t.deepEqual((await frozenDb.raw('select 1 as one')).rows, [{ one: 1 }], 'usable again');
  },
);
