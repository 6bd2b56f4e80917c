import test from 'ava';
import { createExampleApi } from '../../src/index.ts';
import { call } from '../helpers/api-client.ts';
import { createDpopKey, type DpopKey } from '../helpers/dpop-key.ts';
import { AUDIENCE, startStack } from '../helpers/start-api.ts';

// The `dpop` option (RFC 9449): off by default (Bearer only), allowed, or required. Proofs are
// made for the API's public URL, its resource identifier, whatever address it is reached at.

/** GET /me at `api` with a DPoP-bound token and a proof by `key` for `htu` [the API's own URL]. */
const meWithProof = (api: string, token: string, key: DpopKey, htu = `${AUDIENCE}/me`) =>
  call(`${api}/me`, {
    headers: { authorization: `DPoP ${token}`, dpop: key.proof('GET', htu, token) },
  });

test('required: a bound token with a proof by its key only; Bearer gets a DPoP challenge', async (t) => {
  const stack = await startStack({ dpop: 'required', publicUrl: AUDIENCE });
  t.teardown(() => stack.close());
  const key = createDpopKey();
  const bound = stack.issuer.mint(AUDIENCE, { cnf: { jkt: key.jkt } });
  const ok = await meWithProof(stack.api.url, bound, key);
  t.is(ok.status, 200);
  t.like(ok.body, { sub: 'alice' });

  const other = createDpopKey();
  const wrongKey = await meWithProof(stack.api.url, bound, other);
  t.is(wrongKey.status, 401);
  t.regex(wrongKey.headers.get('www-authenticate') ?? '', /^DPoP .*error="invalid_token"/);

  const plain = await call(`${stack.api.url}/me`, { token: stack.issuer.mint(AUDIENCE) });
  t.is(plain.status, 401);
  t.regex(plain.headers.get('www-authenticate') ?? '', /^DPoP realm=/);
  const metadata = await call(`${stack.api.url}/.well-known/oauth-protected-resource`);
  t.like(metadata.body, { dpop_bound_access_tokens_required: true });
});

test('allowed: plain tokens as Bearer, bound ones with their proof', async (t) => {
  const stack = await startStack({ dpop: 'allowed', publicUrl: AUDIENCE });
  t.teardown(() => stack.close());
  const plain = await call(`${stack.api.url}/me`, { token: stack.issuer.mint(AUDIENCE) });
  t.is(plain.status, 200);
  const key = createDpopKey();
  const bound = stack.issuer.mint(AUDIENCE, { cnf: { jkt: key.jkt } });
  const ok = await meWithProof(stack.api.url, bound, key);
  t.is(ok.status, 200);
  // A proof for another URL than the API's own is refused.
  const elsewhere = await meWithProof(stack.api.url, bound, key, `${stack.api.url}/me`);
  t.is(elsewhere.status, 401);
  // And a bound token is never a Bearer token.
  t.is((await call(`${stack.api.url}/me`, { token: bound })).status, 401);
});

test('off (the default): a bound token is refused, as Bearer or as DPoP', async (t) => {
  const stack = await startStack();
  t.teardown(() => stack.close());
  const key = createDpopKey();
  const bound = stack.issuer.mint(AUDIENCE, { cnf: { jkt: key.jkt } });
  const asBearer = await call(`${stack.api.url}/me`, { token: bound });
  t.is(asBearer.status, 401);
  t.regex(asBearer.headers.get('www-authenticate') ?? '', /^Bearer .*error="invalid_token"/);
  const asDpop = await meWithProof(stack.api.url, bound, key);
  t.is(asDpop.status, 401);
});

test('a dpop mode other than off, allowed or required, or DPoP without publicUrl, is refused', (t) => {
  const options = { issuer: 'http://localhost:3000', audience: AUDIENCE };
  t.throws(() => createExampleApi({ ...options, dpop: 'yes' as never }), {
    instanceOf: TypeError,
    message: /"dpop" must be "off", "allowed" or "required"/,
  });
  const error = t.throws(() => createExampleApi({ ...options, dpop: 'required' }));
  t.is((error as { code?: string }).code, 'ERR_RS_CONFIG');
  t.regex(error?.message ?? '', /publicUrl/);
  t.notThrows(() => createExampleApi({ ...options, dpop: 'off' }));
});
