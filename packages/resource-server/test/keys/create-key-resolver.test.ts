import { randomUUID } from 'node:crypto';
import test from 'ava';
import { assertInvalidToken, assertUnavailable } from '../helpers/assertions.ts';
import { generateTestKey, type TestKey } from '../helpers/keys.ts';
import { mintToken, NOW } from '../helpers/mint-token.ts';
import { get } from '../helpers/request.ts';
import { closedPortUrl } from '../helpers/start-http-server.ts';
import { startIssuer } from '../helpers/start-issuer.ts';
import { startTestApp } from '../helpers/start-test-app.ts';

let key: TestKey;

test.before(async () => {
  key = await generateTestKey('key-1');
});

test('50 tokens with random kids cause at most 2 JWKS fetches', async (t) => {
  const issuer = await startIssuer([key.publicJwk]);
  const app = await startTestApp({ jwksUri: issuer.jwksUri });
  try {
    const tokens = await Promise.all(
      Array.from({ length: 50 }, () => mintToken(key, { header: { kid: randomUUID() } })),
    );
    // Half in parallel, half one after another.
    const parallel = await Promise.all(
      tokens.slice(0, 25).map((token) => get(`${app.url}/protected`, `Bearer ${token}`)),
    );
    for (const response of parallel) assertInvalidToken(t, response);
    for (const token of tokens.slice(25)) {
      assertInvalidToken(t, await get(`${app.url}/protected`, `Bearer ${token}`));
    }
    t.true((issuer.hits.get('/jwks') ?? 0) <= 2);
    // The known key still works.
    t.is((await get(`${app.url}/protected`, `Bearer ${await mintToken(key)}`)).status, 200);
  } finally {
    await app.close();
    await issuer.close();
  }
});

test('discovery: the jwks_uri comes from the issuer metadata, fetched once', async (t) => {
  const issuer = await startIssuer([key.publicJwk]);
  const app = await startTestApp({ issuer: issuer.url, now: () => NOW * 1000 });
  try {
    const token = await mintToken(key, { claims: { iss: issuer.url } });
    const responses = await Promise.all(
      Array.from({ length: 5 }, () => get(`${app.url}/protected`, `Bearer ${token}`)),
    );
    for (const response of responses) t.is(response.status, 200);
    t.is((await get(`${app.url}/protected`, `Bearer ${token}`)).status, 200);
    t.is(issuer.hits.get('/.well-known/oauth-authorization-server'), 1);
    t.is(issuer.hits.get('/jwks'), 1);
  } finally {
    await app.close();
    await issuer.close();
  }
});

test('discovery: metadata naming another issuer is refused (503)', async (t) => {
  const issuer = await startIssuer([key.publicJwk]);
  issuer.metadata = { issuer: 'https://evil.example.test' };
  const app = await startTestApp({ issuer: issuer.url });
  try {
    const token = await mintToken(key, { claims: { iss: issuer.url } });
    assertUnavailable(t, await get(`${app.url}/protected`, `Bearer ${token}`));
    t.is(issuer.hits.get('/jwks'), undefined);
  } finally {
    await app.close();
    await issuer.close();
  }
});

test('an unreachable issuer is a 503 with Retry-After, not a 401 or 500', async (t) => {
  const issuer = await closedPortUrl();
  const app = await startTestApp({ issuer });
  try {
    const token = await mintToken(key, { claims: { iss: issuer } });
    const response = await get(`${app.url}/protected`, `Bearer ${token}`);
    assertUnavailable(t, response);
    t.is(response.headers.get('retry-after'), '30');
    // The host sees why; the token is not in what it logs.
    t.is(app.loggedErrors.length, 1);
    const logged = app.loggedErrors[0] as Error;
    t.is((logged as { code?: string }).code, 'ERR_RS_TEMPORARILY_UNAVAILABLE');
    t.false(`${logged.stack} ${String((logged.cause as Error)?.stack)}`.includes(token));
  } finally {
    await app.close();
  }
});

test('an unreachable jwksUri is a 503', async (t) => {
  const app = await startTestApp({ jwksUri: `${await closedPortUrl()}/jwks` });
  try {
    assertUnavailable(t, await get(`${app.url}/protected`, `Bearer ${await mintToken(key)}`));
  } finally {
    await app.close();
  }
});

test('a JWKS answering 500 or garbage is a 503', async (t) => {
  const issuer = await startIssuer([key.publicJwk]);
  const failing = await startTestApp({ jwksUri: issuer.jwksUri });
  const garbage = await startTestApp({ jwksUri: `${issuer.url}/not-a-jwks` });
  try {
    issuer.failWith = 500;
    assertUnavailable(t, await get(`${failing.url}/protected`, `Bearer ${await mintToken(key)}`));
    issuer.failWith = undefined;
    assertUnavailable(t, await get(`${garbage.url}/protected`, `Bearer ${await mintToken(key)}`));
  } finally {
    await failing.close();
    await garbage.close();
    await issuer.close();
  }
});

test('after a failure, the issuer is left alone for the cooldown, then tried again', async (t) => {
  const issuer = await startIssuer([key.publicJwk]);
  let nowMs = NOW * 1000;
  const app = await startTestApp({
    issuer: issuer.url,
    now: () => nowMs,
    jwks: { cooldownMs: 10_000 },
  });
  const metadataHits = () => issuer.hits.get('/.well-known/oauth-authorization-server') ?? 0;
  try {
    const token = await mintToken(key, { claims: { iss: issuer.url } });
    issuer.failWith = 500;
    assertUnavailable(t, await get(`${app.url}/protected`, `Bearer ${token}`));
    t.is(metadataHits(), 1);

    issuer.failWith = undefined;
    nowMs += 4_000;
    const during = await get(`${app.url}/protected`, `Bearer ${token}`);
    assertUnavailable(t, during);
    t.is(during.headers.get('retry-after'), '6');
    t.is(metadataHits(), 1, 'the issuer was contacted during the cooldown');
    t.is(app.loggedErrors.length, 1, 'fast failures are not logged again');

    nowMs += 6_000;
    t.is((await get(`${app.url}/protected`, `Bearer ${token}`)).status, 200);
    t.is(metadataHits(), 2);
  } finally {
    await app.close();
    await issuer.close();
  }
});

test('a configured jwksUri is used without discovery; an empty key set means invalid_token', async (t) => {
  const issuer = await startIssuer([]);
  const app = await startTestApp({ issuer: issuer.url, jwksUri: `${issuer.url}/jwks` });
  try {
    assertInvalidToken(
      t,
      await get(
        `${app.url}/protected`,
        `Bearer ${await mintToken(key, { claims: { iss: issuer.url } })}`,
      ),
    );
    t.is(issuer.hits.get('/.well-known/oauth-authorization-server'), undefined);
  } finally {
    await app.close();
    await issuer.close();
  }
});
