import test from 'ava';
import { startExampleApi } from '../src/index.ts';
import { call } from './helpers/api-client.ts';
import { AUDIENCE } from './helpers/start-api.ts';
import { startTestIssuer } from './helpers/test-issuer.ts';

/** An issuer and an example API that introspects its opaque tokens with `maxCacheSeconds`. */
async function introspectingStack(maxCacheSeconds?: number) {
  const issuer = await startTestIssuer();
  const api = await startExampleApi({
    issuer: issuer.url,
    audience: AUDIENCE,
    introspection: {
      ...issuer.introspectionClient,
      ...(maxCacheSeconds === undefined ? {} : { maxCacheSeconds }),
    },
    port: 0,
  });
  return { issuer, api, close: () => Promise.all([api.close(), issuer.close()]) };
}

test('with introspection it accepts opaque tokens and still verifies JWTs itself', async (t) => {
  const stack = await introspectingStack();
  t.teardown(stack.close);
  const opaque = stack.issuer.opaque(AUDIENCE, { sub: 'bob', scope: 'notes:read' });
  const me = await call(`${stack.api.url}/me`, { token: opaque });
  t.is(me.status, 200);
  t.deepEqual(me.body, { sub: 'bob', client_id: 'notes-client', scope: 'notes:read' });
  t.is((await call(`${stack.api.url}/notes`, { token: opaque })).status, 200);
  const write = await call(`${stack.api.url}/notes`, {
    method: 'POST',
    token: opaque,
    body: { text: 'no' },
  });
  t.is(write.status, 403, 'scopes of an opaque token are checked like those of a JWT');
  t.is(stack.issuer.introspections, 1, 'answers are cached: one call for three requests');

  const jwt = stack.issuer.mint(AUDIENCE);
  t.is((await call(`${stack.api.url}/me`, { token: jwt })).status, 200);
  t.is(stack.issuer.introspections, 1, 'a JWT is never sent to the introspection endpoint');
});

test('an opaque token the issuer does not vouch for, or for another API, is refused', async (t) => {
  const stack = await introspectingStack(0);
  t.teardown(stack.close);
  for (const token of ['x'.repeat(43), stack.issuer.opaque('http://localhost:9999')]) {
    const response = await call(`${stack.api.url}/me`, { token });
    t.is(response.status, 401);
    t.regex(response.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
  }
});

test('without introspection an opaque token is refused as malformed (JWTs only)', async (t) => {
  const issuer = await startTestIssuer();
  const api = await startExampleApi({ issuer: issuer.url, audience: AUDIENCE, port: 0 });
  t.teardown(() => Promise.all([api.close(), issuer.close()]));
  const response = await call(`${api.url}/me`, { token: issuer.opaque(AUDIENCE) });
  t.is(response.status, 401);
  t.is(issuer.introspections, 0);
});

test('a bad introspection option is refused when the API is created, naming it', async (t) => {
  await t.throwsAsync(
    startExampleApi({
      issuer: 'http://localhost:3000',
      audience: AUDIENCE,
      introspection: { clientId: 'notes-api', clientSecret: '' },
      port: 0,
    }),
    { message: /introspection\.clientSecret/ },
  );
});
