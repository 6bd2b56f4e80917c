import test from 'ava';
import Koa from 'koa';
import { createResourceServer } from '../../src/index.ts';
import type { AuthContext } from '../../src/types.ts';
import { createTokenCache } from '../../src/verify/token-cache.ts';
import { generateTestKey } from '../helpers/keys.ts';
import { AUDIENCE, mintToken, NOW } from '../helpers/mint-token.ts';
import { get } from '../helpers/request.ts';
import { startHttpServer } from '../helpers/start-http-server.ts';
import { startIssuer } from '../helpers/start-issuer.ts';

const auth = (exp: number): AuthContext => ({
  subject: 's',
  clientId: 'c',
  scopes: new Set(),
  scope: '',
  claims: { exp },
  token: 'jwt',
});

test('an entry is served until, and never at or after, the token exp', (t) => {
  const cache = createTokenCache(10);
  const entry = auth(NOW + 60);
  cache.set('token-a', entry, NOW * 1000);
  t.is(cache.get('token-a', NOW * 1000), entry);
  t.is(cache.get('token-a', (NOW + 59) * 1000 + 999), entry);
  t.is(cache.get('token-a', (NOW + 60) * 1000), undefined);
  t.is(cache.get('token-a', NOW * 1000), undefined, 'an expired entry is gone for good');
});

test('expired or exp-less tokens are not stored; the oldest entry goes when full', (t) => {
  const cache = createTokenCache(2);
  cache.set('old', auth(NOW - 1), NOW * 1000);
  t.is(cache.get('old', NOW * 1000), undefined);
  cache.set('no-exp', { ...auth(0), claims: {} }, NOW * 1000);
  t.is(cache.get('no-exp', NOW * 1000), undefined);
  cache.set('a', auth(NOW + 60), NOW * 1000);
  cache.set('b', auth(NOW + 60), NOW * 1000);
  cache.set('c', auth(NOW + 60), NOW * 1000);
  t.is(cache.get('a', NOW * 1000), undefined, 'evicted');
  t.truthy(cache.get('b', NOW * 1000));
  t.truthy(cache.get('c', NOW * 1000));
  t.is(cache.get('b2', NOW * 1000), undefined, 'exact token match only');
});

async function serve(
  rsOptions: { cache?: false | { maxEntries?: number } },
  clock: { now: number },
) {
  const key = await generateTestKey('k1');
  const issuer = await startIssuer([key.publicJwk]);
  const rs = createResourceServer({
    issuer: issuer.url,
    audience: AUDIENCE,
    jwksUri: issuer.jwksUri,
    now: () => clock.now,
    ...rsOptions,
  });
  const app = new Koa();
  app.use(rs.authenticate());
  app.use((ctx) => {
    ctx.body = { sub: ctx.state.auth.subject };
  });
  const server = await startHttpServer(app.callback());
  return { key, issuer, server };
}

test('a cached token is not verified again, but is refused once its exp has passed', async (t) => {
  const clock = { now: NOW * 1000 };
  const { key, issuer, server } = await serve({}, clock);
  t.teardown(() => Promise.all([server.close(), issuer.close()]));
  const token = await mintToken(key, { claims: { iss: issuer.url, exp: NOW + 120 } });
  t.is((await get(`${server.url}/`, `Bearer ${token}`)).status, 200);
  // The issuer now refuses to serve keys: only the cache can vouch for the token.
  issuer.keys = [];
  issuer.failWith = 500;
  t.is((await get(`${server.url}/`, `Bearer ${token}`)).status, 200, 'served from the cache');
  // Past exp plus the whole leeway: the cache does not answer, full verification refuses.
  clock.now = (NOW + 120 + 31) * 1000;
  t.is((await get(`${server.url}/`, `Bearer ${token}`)).status, 401);
  const tampered = `${token.slice(0, -4)}AAAA`;
  clock.now = NOW * 1000;
  t.not(
    (await get(`${server.url}/`, `Bearer ${tampered}`)).status,
    200,
    'a different string is a miss',
  );
});

test('with the cache off, every request is verified in full', async (t) => {
  // Observable through the clock: moved back before the token's iat (beyond the leeway), full
  // verification refuses it, while a cache would still serve it (it is before exp).
  for (const [cache, expected] of [
    [false, 401],
    [undefined, 200],
  ] as const) {
    const clock = { now: NOW * 1000 };
    const { key, issuer, server } = await serve(cache === undefined ? {} : { cache }, clock);
    t.teardown(() => Promise.all([server.close(), issuer.close()]));
    const token = await mintToken(key, { claims: { iss: issuer.url } });
    t.is((await get(`${server.url}/`, `Bearer ${token}`)).status, 200);
    clock.now = (NOW - 120) * 1000;
    t.is(
      (await get(`${server.url}/`, `Bearer ${token}`)).status,
      expected,
      `cache ${String(cache)}`,
    );
  }
  t.throws(
    () =>
      createResourceServer({
        issuer: 'https://as.example.test',
        audience: AUDIENCE,
        cache: { maxEntries: 0 },
      }),
    { message: /cache\.maxEntries/ },
  );
});
