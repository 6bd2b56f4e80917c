import { generateKeyPairSync } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import test from 'ava';
import {
  type ClientJson,
  cli,
  cliJson,
  createService,
  exampleResourceDatabase,
  serviceArgs,
  temporaryFolder,
} from './clients-fixtures.ts';
import { failsWithOneLine } from './helpers.ts';

// `--auth-method private_key_jwt` with `--jwks-file` or `--jwks-uri` through create, update
// (a key roll), show and the refusals: each one line and a non-zero exit, nothing written.

const database = exampleResourceDatabase();
const folder = temporaryFolder('portcullis-pkjwt-cli-');

type WithKeys = ClientJson & {
  token_endpoint_auth_method: string;
  jwks: { keys: Array<Record<string, string>> } | null;
  jwks_uri: string | null;
  changed?: string[];
};

let files = 0;
async function file(content: string): Promise<string> {
  files += 1;
  const name = folder.file(`keys-${files}.json`);
  await writeFile(name, content);
  return name;
}

/** A key pair's public JWK with `kid` and `extra` members, and its private JWK. */
function ecKey(kid: string, extra: Record<string, string> = {}) {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    public: { ...publicKey.export({ format: 'jwk' }), kid, ...extra },
    private: { ...privateKey.export({ format: 'jwk' }), kid },
  };
}

const jwks = (...keys: object[]) => file(JSON.stringify({ keys }));

const create = (name: string, args: string[]) => cli(database, serviceArgs(name, args));

test('create from a JWKS file: no secret, the method and key ids shown', async (t) => {
  const key = ecKey('svc-2026');
  const created = (await createService(database, 'keyed service', [
    '--auth-method',
    'private_key_jwt',
    '--jwks-file',
    await jwks(key.public),
  ])) as WithKeys;
  t.is(created.client_secret, undefined);
  t.is(created.token_endpoint_auth_method, 'private_key_jwt');
  t.deepEqual(
    created.jwks?.keys.map((k) => k.kid),
    ['svc-2026'],
  );
  t.is(created.jwks_uri, null);
  const shown = await cli(database, ['clients', 'show', 'keyed service']);
  t.regex(shown.stdout, /^authentication: +private_key_jwt \(keys: svc-2026\)$/m);
  // Secrets are not its business.
  failsWithOneLine(
    t,
    await cli(database, ['clients', 'rotate-secret', 'keyed service']),
    /authenticates with private_key_jwt: it has keys, no secret/,
  );
});

test('update rolls the keys, or moves them to a JWKS URI and back to a secret', async (t) => {
  const [old, next] = [ecKey('old'), ecKey('new')];
  const made = await create('rolled service', [
    '--auth-method',
    'private_key_jwt',
    '--jwks-file',
    await jwks(old.public),
  ]);
  t.is(made.code, 0, made.stderr);
  const rolled = await cliJson<WithKeys>(database, [
    'clients',
    'update',
    'rolled service',
    '--jwks-file',
    await jwks(old.public, next.public),
  ]);
  t.deepEqual(rolled.changed, ['jwks']);
  t.deepEqual(
    rolled.jwks?.keys.map((k) => k.kid),
    ['old', 'new'],
  );
  const moved = await cliJson<WithKeys>(database, [
    'clients',
    'update',
    'rolled service',
    '--jwks-uri',
    'https://service.example.com/jwks.json',
  ]);
  t.is(moved.jwks, null);
  t.is(moved.jwks_uri, 'https://service.example.com/jwks.json');
  t.regex(
    (await cli(database, ['clients', 'show', 'rolled service'])).stdout,
    /^authentication: +private_key_jwt \(keys: published at https:\/\/service\.example\.com\/jwks\.json\)$/m,
  );
  const toSecret = await cliJson<WithKeys>(database, [
    'clients',
    'update',
    'rolled service',
    '--auth-method',
    'client_secret_basic',
  ]);
  t.is(toSecret.token_endpoint_auth_method, 'client_secret_basic');
  t.is(toSecret.jwks_uri, null);
  t.truthy(toSecret.client_secret);
  // And back to keys: its secrets are deleted.
  const back = await cliJson<WithKeys>(database, [
    'clients',
    'update',
    'rolled service',
    '--auth-method',
    'private_key_jwt',
    '--jwks-file',
    await jwks(next.public),
  ]);
  t.is(back.token_endpoint_auth_method, 'private_key_jwt');
  const secrets = await cliJson<unknown[]>(database, ['clients', 'secrets', 'rolled service']);
  t.deepEqual(secrets, []);
});

test('refused: a file with a private key, bad JSON, no such file, a bad key set', async (t) => {
  const key = ecKey('k1');
  const cases: Array<[string, RegExp]> = [
    [
      await jwks(key.private),
      /^portcullis: --jwks-file key 1 holds private key material \("d"\): give only the public keys/,
    ],
    [await file('{"keys": [ {'), /is not JSON: give a JWK Set/],
    [await file('[]'), /^portcullis: --jwks-file must be a JWK Set/],
    [await jwks(), /^portcullis: --jwks-file has no keys/],
    [await jwks({ ...key.public, kid: undefined }), /^portcullis: --jwks-file key 1 needs a kid/],
    [await jwks(key.public, { ...ecKey('k1').public }), /two keys with kid "k1"/],
    [await jwks(ecKey('rs', { alg: 'RS256' }).public), /has alg "RS256": allowed are ES256, PS256/],
    [await jwks({ kty: 'oct', k: 'c2VjcmV0', kid: 's' }), /holds private key material \("k"\)/],
    [await jwks({ ...key.public, x: 'AAAA' }), /is not a valid EC public key/],
    [folder.file('missing.json'), /^portcullis: cannot read .*missing\.json: no such file/],
  ];
  for (const [jwksFile, why] of cases) {
    const result = await create(`refused ${jwksFile}`, [
      '--auth-method',
      'private_key_jwt',
      '--jwks-file',
      jwksFile,
    ]);
    failsWithOneLine(t, result, why);
  }
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
  failsWithOneLine(
    t,
    await create('small rsa', [
      '--auth-method',
      'private_key_jwt',
      '--jwks-file',
      await jwks({ ...publicKey.export({ format: 'jwk' }), kid: 'r' }),
    ]),
    /is a 1024-bit RSA key: at least 2048 bits/,
  );
  const listed = await cliJson<ClientJson[]>(database, ['clients', 'list']);
  t.false(listed.some((c) => c.name.startsWith('refused') || c.name === 'small rsa'));
});

test('refused: both or neither of --jwks-file and --jwks-uri, a bad URI', async (t) => {
  const keys = await jwks(ecKey('k').public);
  failsWithOneLine(
    t,
    await create('both', [
      '--auth-method',
      'private_key_jwt',
      '--jwks-file',
      keys,
      '--jwks-uri',
      'https://a.example.com/jwks',
    ]),
    /^portcullis: give --jwks-file or --jwks-uri, not both/,
    2,
  );
  failsWithOneLine(
    t,
    await create('neither', ['--auth-method', 'private_key_jwt']),
    /^portcullis: --jwks-file or a JWKS URI is required by private_key_jwt/,
  );
  failsWithOneLine(
    t,
    await create('plain http', [
      '--auth-method',
      'private_key_jwt',
      '--jwks-uri',
      'http://keys.example.com/jwks',
    ]),
    /must use https \(plain http only on loopback\)/,
  );
  failsWithOneLine(
    t,
    await create('fragment', [
      '--auth-method',
      'private_key_jwt',
      '--jwks-uri',
      'https://keys.example.com/jwks#x',
    ]),
    /^portcullis: --jwks-uri "https:\/\/keys\.example\.com\/jwks#x" must not have a fragment/,
  );
});

test('refused: keys with a secret-using or public client, an unknown method', async (t) => {
  const keys = await jwks(ecKey('k').public);
  failsWithOneLine(
    t,
    await create('secret with keys', ['--jwks-file', keys]),
    /^portcullis: --jwks-file is only for private_key_jwt clients/,
  );
  failsWithOneLine(
    t,
    await create('basic with keys', ['--auth-method', 'client_secret_basic', '--jwks-file', keys]),
    /^portcullis: --jwks-file is only for private_key_jwt clients/,
  );
  failsWithOneLine(
    t,
    await cli(database, [
      'clients',
      'create',
      '--name',
      'public keyed',
      '--grant',
      'authorization_code',
      '--redirect-uri',
      'https://app.example.com/cb',
      '--public',
      '--auth-method',
      'private_key_jwt',
      '--jwks-file',
      keys,
    ]),
    /^portcullis: --auth-method is private_key_jwt: a public client authenticates with none/,
  );
  failsWithOneLine(
    t,
    await create('jwt secret', ['--auth-method', 'client_secret_jwt']),
    /^portcullis: --auth-method "client_secret_jwt" is not supported \(supported: client_secret_basic, private_key_jwt/,
  );
  const secretClient = await create('has a secret', []);
  t.is(secretClient.code, 0, secretClient.stderr);
  failsWithOneLine(
    t,
    await cli(database, ['clients', 'update', 'has a secret', '--jwks-file', keys]),
    /^portcullis: --jwks-file is only for private_key_jwt clients/,
  );
});

test('apply: token_endpoint_auth_method with jwks or jwks_uri, and back to a secret', async (t) => {
  const key = ecKey('applied-1');
  const declare = async (lines: string) => {
    const name = folder.file(`apply-${Math.random().toString(36).slice(2)}.yaml`);
    await writeFile(
      name,
      `clients:
  - name: applied keyed
    grants: [client_credentials]
${lines}`,
    );
    return cli(database, ['apply', '-f', name]);
  };
  const show = () => cliJson<WithKeys>(database, ['clients', 'show', 'applied keyed']);
  const keysLines = `    token_endpoint_auth_method: private_key_jwt
    jwks: ${JSON.stringify({ keys: [key.public] })}
`;
  const created = await declare(keysLines);
  t.is(created.code, 0, created.stderr);
  t.notRegex(created.stdout, /client secret/);
  t.deepEqual(
    (await show()).jwks?.keys.map((k) => k.kid),
    ['applied-1'],
  );
  // The same file again changes nothing (the stored set reads back equal).
  const again = await declare(keysLines);
  t.is(again.code, 0, again.stderr);
  t.regex(again.stdout, /unchanged/);
  const renamed = await cliJson<WithKeys>(database, [
    'clients',
    'update',
    'applied keyed',
    '--first-party',
  ]);
  t.deepEqual(renamed.changed, ['first_party']);

  const refused = await declare(`    token_endpoint_auth_method: private_key_jwt
    jwks: ${JSON.stringify({ keys: [key.private] })}
`);
  t.is(refused.code, 1);
  t.regex(refused.stderr, /clients\[0\]\.jwks\[0\]: key 1 holds private key material/);
  const uri = await declare(`    token_endpoint_auth_method: private_key_jwt
    jwks_uri: ftp://keys.example.com/jwks
`);
  t.is(uri.code, 1);
  t.regex(uri.stderr, /clients\[0\]\.jwks_uri: the JWKS URI "ftp:/);

  // Left out, the method returns to the default: a secret, shown once; the keys go.
  const back = await declare('');
  t.is(back.code, 0, back.stderr);
  t.regex(back.stdout, /new client secrets, shown only now/);
  const shown = await show();
  t.is(shown.token_endpoint_auth_method, 'client_secret_basic');
  t.is(shown.jwks, null);
});
