import test from 'ava';
import { EncryptJWT, exportSPKI } from 'jose';
import { assertInvalidToken } from '../helpers/assertions.ts';
import { generateTestKey, type TestKey } from '../helpers/keys.ts';
import { mintToken, mintUnsignedToken, validClaims } from '../helpers/mint-token.ts';
import { get } from '../helpers/request.ts';
import { startIssuer, type TestIssuer } from '../helpers/start-issuer.ts';
import { startTestApp, type TestApp } from '../helpers/start-test-app.ts';

let key: TestKey;
let rsaKey: TestKey;
let attackerKey: TestKey;
let issuer: TestIssuer;
let attacker: TestIssuer;
let app: TestApp;

test.before(async () => {
  key = await generateTestKey('key-1');
  rsaKey = await generateTestKey('rsa-1', 'RS256');
  attackerKey = await generateTestKey('attacker-1');
  issuer = await startIssuer([key.publicJwk, rsaKey.publicJwk]);
  // Serves the attacker's key: it must never be asked for anything.
  attacker = await startIssuer([attackerKey.publicJwk]);
  app = await startTestApp({ jwksUri: issuer.jwksUri });
});

test.after.always(async () => {
  await app.close();
  await issuer.close();
  await attacker.close();
});

const refused = test.macro({
  async exec(t, forge: () => Promise<string> | string) {
    assertInvalidToken(t, await get(`${app.url}/protected`, `Bearer ${await forge()}`));
    t.is(attacker.hits.size, 0, 'the attacker server was contacted');
  },
  title: (title = '') => `refuses ${title}`,
});

test('a genuine token (control)', async (t) => {
  t.is((await get(`${app.url}/protected`, `Bearer ${await mintToken(key)}`)).status, 200);
});

test('alg none', refused, () => mintUnsignedToken({ kid: 'key-1' }));
test('alg None', refused, () => mintUnsignedToken({ alg: 'None', kid: 'key-1' }));
test('HS256 with the public key (PEM) as secret', refused, async () =>
  mintToken(key, {
    header: { alg: 'HS256' },
    signWith: new TextEncoder().encode(await exportSPKI(key.publicKey)),
  }),
);
test('HS256 with the public JWK as secret', refused, () =>
  mintToken(key, {
    header: { alg: 'HS256' },
    signWith: new TextEncoder().encode(JSON.stringify(key.publicJwk)),
  }),
);
test('RS256 signed by a published RSA key when only ES256 is allowed', refused, () =>
  mintToken(rsaKey),
);
test('a foreign key using the real kid', refused, () =>
  mintToken(key, { signWith: attackerKey.privateKey }),
);
test('an embedded jwk signed by that jwk', refused, () =>
  mintToken(attackerKey, { header: { jwk: attackerKey.publicJwk } }),
);
test('an embedded jwk under the real kid', refused, () =>
  mintToken(key, { header: { jwk: attackerKey.publicJwk }, signWith: attackerKey.privateKey }),
);
test('a jku pointing at an attacker JWKS', refused, () =>
  mintToken(attackerKey, { header: { jku: attacker.jwksUri } }),
);
test('a jku under the real kid', refused, () =>
  mintToken(key, { header: { jku: attacker.jwksUri }, signWith: attackerKey.privateKey }),
);
test('an x5u pointing at an attacker server', refused, () =>
  mintToken(attackerKey, { header: { x5u: `${attacker.url}/cert.pem` } }),
);
test('a payload changed after signing', refused, async () => {
  const [header, , signature] = (await mintToken(key)).split('.');
  const payload = Buffer.from(JSON.stringify({ ...validClaims(), sub: 'admin' })).toString(
    'base64url',
  );
  return `${header}.${payload}.${signature}`;
});
test('a stripped signature', refused, async () => {
  const [header, payload] = (await mintToken(key)).split('.');
  return `${header}.${payload}.`;
});
test('a JWE (five segments)', refused, () =>
  new EncryptJWT(validClaims())
    .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', typ: 'at+jwt', kid: 'key-1' })
    .encrypt(new Uint8Array(32)),
);

test('RS256 is accepted once configured (the allow-list, not the key, decides)', async (t) => {
  const rsaApp = await startTestApp({ jwksUri: issuer.jwksUri, algorithms: ['RS256'] });
  try {
    t.is((await get(`${rsaApp.url}/protected`, `Bearer ${await mintToken(rsaKey)}`)).status, 200);
    assertInvalidToken(t, await get(`${rsaApp.url}/protected`, `Bearer ${await mintToken(key)}`));
  } finally {
    await rsaApp.close();
  }
});
