import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import * as client from 'openid-client';
import { discoverClient, type Stack, startStack } from '../src/index.ts';

// PORTCULLIS_DPOP_NONCE=on (RFC 9449 §8): a proof without a server nonce is answered
// use_dpop_nonce with a DPoP-Nonce header, and the retry with that nonce gets the token.

let database: TestDatabase;
let stack: Stack;
let service: { client_id: string; client_secret: string };

test.before(async () => {
  database = await createTestDatabase();
  stack = await startStack(database.db, database.url, { PORTCULLIS_DPOP_NONCE: 'on' });
  service = await stack.cli([
    'clients',
    'create',
    '--name',
    'nonce service',
    '--grant',
    'client_credentials',
    '--resource',
    stack.api,
    '--require-dpop',
  ]);
});
test.after.always(async () => {
  await stack?.stop();
  await database?.drop();
});

test('the first token request gets use_dpop_nonce, and openid-client’s retry succeeds', async (t) => {
  const config = await discoverClient(stack.issuer, service);
  const answers: Array<{ status: number; nonce: string | null; body: string }> = [];
  config[client.customFetch] = async (url, options) => {
    const response = await fetch(url, options as RequestInit);
    const body = await response.clone().text();
    answers.push({ status: response.status, nonce: response.headers.get('dpop-nonce'), body });
    return response;
  };
  const pair = await client.randomDPoPKeyPair('ES256');
  const tokens = await client.clientCredentialsGrant(
    config,
    { resource: stack.api },
    { DPoP: client.getDPoPHandle(config, pair) },
  );
  t.is(tokens.token_type, 'dpop');
  const [first, retry] = answers.slice(-2);
  t.is(first?.status, 400);
  t.is(JSON.parse(first?.body ?? '{}').error, 'use_dpop_nonce');
  t.truthy(first?.nonce);
  t.is(retry?.status, 200);
});

test('a proof with a made-up nonce is refused the same way; the issued nonce works', async (t) => {
  const { token_endpoint: endpoint } = (await (
    await fetch(`${stack.issuer}/.well-known/openid-configuration`)
  ).json()) as { token_endpoint: string };
  const pair = await generateKeyPair('ES256');
  const jwk = await exportJWK(pair.publicKey);
  const request = async (nonce?: string) => {
    const proof = await new SignJWT({
      htm: 'POST',
      htu: endpoint,
      jti: crypto.randomUUID(),
      ...(nonce ? { nonce } : {}),
    })
      .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk })
      .setIssuedAt()
      .sign(pair.privateKey);
    return fetch(endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${service.client_id}:${service.client_secret}`).toString('base64')}`,
        dpop: proof,
      },
      body: new URLSearchParams({ grant_type: 'client_credentials', resource: stack.api }),
    });
  };
  const madeUp = await request('not-a-nonce-of-this-server');
  t.is(madeUp.status, 400);
  t.is(((await madeUp.json()) as { error: string }).error, 'use_dpop_nonce');
  const nonce = madeUp.headers.get('dpop-nonce');
  t.truthy(nonce);
  const withNonce = await request(nonce ?? undefined);
  t.is(withNonce.status, 200);
  t.is(((await withNonce.json()) as { token_type: string }).token_type, 'DPoP');
});
