import test from 'ava';
import Koa from 'koa';
import { createResourceServer } from '../../src/index.ts';
import { generateTestKey } from '../helpers/keys.ts';
import { AUDIENCE, mintToken, NOW } from '../helpers/mint-token.ts';
import { get } from '../helpers/request.ts';
import { startHttpServer } from '../helpers/start-http-server.ts';
import { startIssuer } from '../helpers/start-issuer.ts';

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

test('the cache holds at most cache.maxEntries tokens, evicting the oldest', async (t) => {
  // As above, a clock moved back before the tokens' iat tells a cached token (200) from one
  // verified in full (401).
  const clock = { now: NOW * 1000 };
  const { key, issuer, server } = await serve({ cache: { maxEntries: 1 } }, clock);
  t.teardown(() => Promise.all([server.close(), issuer.close()]));
  const first = await mintToken(key, { claims: { iss: issuer.url } });
  const second = await mintToken(key, { claims: { iss: issuer.url } });
  t.is((await get(`${server.url}/`, `Bearer ${first}`)).status, 200);
  t.is((await get(`${server.url}/`, `Bearer ${second}`)).status, 200);
  clock.now = (NOW - 120) * 1000;
  t.is((await get(`${server.url}/`, `Bearer ${second}`)).status, 200, 'cached');
  t.is((await get(`${server.url}/`, `Bearer ${first}`)).status, 401, 'evicted');
});
