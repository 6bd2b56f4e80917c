import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import {
  checkClientKeys,
  checkClientSecrets,
  createClientsService,
  loadDoctorFacts,
} from '../../src/index.ts';
import { client, NOW, withSecrets } from './fixtures.ts';

// private_key_jwt clients in the doctor: no usable key, or a JWKS URI that does not answer.

const publicKey = (kid: string) => ({
  ...generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' }),
  kid,
});

const keyed = (fields: Parameters<typeof client>[0]) =>
  client({
    tokenEndpointAuthMethod: 'private_key_jwt',
    grantTypes: ['client_credentials'],
    ...fields,
  });

test('a keyed client with a usable key, or any other client, has no findings', (t) => {
  t.deepEqual(
    checkClientKeys([
      withSecrets(keyed({ jwks: { keys: [publicKey('k1')] } }), []),
      withSecrets(keyed({ jwksUri: 'https://k.example.com/jwks' }), []),
      {
        ...withSecrets(keyed({ jwksUri: 'https://k.example.com/jwks' }), []),
        publishedKeys: { usableKeys: 1 },
      },
      withSecrets(client()),
    ]),
    [],
  );
});

test('no usable key held or published, or a JWKS URI that failed: a warning with the fix', (t) => {
  const findings = checkClientKeys([
    withSecrets(keyed({ id: 'empty', jwks: { keys: [] } }), []),
    withSecrets(keyed({ id: 'rs256', jwks: { keys: [{ ...publicKey('r'), alg: 'RS256' }] } }), []),
    {
      ...withSecrets(keyed({ id: 'down', jwksUri: 'https://k.example.com/jwks' }), []),
      publishedKeys: { error: 'fetch failed (ECONNREFUSED)' },
    },
    {
      ...withSecrets(keyed({ id: 'none', jwksUri: 'https://k.example.com/jwks' }), []),
      publishedKeys: { usableKeys: 0 },
    },
    withSecrets(keyed({ id: 'off', jwks: { keys: [] }, disabledAt: new Date() }), []),
  ]);
  t.deepEqual(
    findings.map((f) => [f.id, f.severity, f.subject.id]),
    [
      ['client-keys-none', 'warning', 'empty'],
      ['client-keys-none', 'warning', 'rs256'],
      ['client-jwks-uri-unreachable', 'warning', 'down'],
      ['client-keys-none', 'warning', 'none'],
    ],
  );
  t.is(findings[0]?.fix, 'portcullis clients update empty --jwks-file PUBLIC-KEYS.json');
  t.regex(findings[2]?.reason ?? '', /could not be fetched \(fetch failed \(ECONNREFUSED\)\)/);
});

test('the facts fetch each JWKS URI over real HTTP: keys counted, a closed port an error', async (t) => {
  const database = await createTestDatabase();
  t.teardown(() => database.drop());
  const keys = { keys: [publicKey('a'), { kty: 'oct', k: 'c2VjcmV0', kid: 's' }] };
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(keys));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const served = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`;
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const gone = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/jwks`;
  await new Promise<void>((resolve) => closed.close(() => resolve()));

  const service = createClientsService(database.db);
  for (const [name, jwksUri] of [
    ['served', served],
    ['gone', gone],
  ] as const) {
    await service.create({
      name,
      grants: ['client_credentials'],
      authMethod: 'private_key_jwt',
      jwksUri,
    });
  }
  const facts = await loadDoctorFacts({
    db: database.db,
    env: {},
    mode: 'development',
    dataDir: '/nonexistent',
    probe: async () => {
      throw new Error('not probed here');
    },
  });
  const byName = new Map(facts.database?.clients.map((c) => [c.client.name, c.publishedKeys]));
  t.deepEqual(byName.get('served'), { usableKeys: 1 });
  t.regex(String((byName.get('gone') as { error?: string }).error), /ECONNREFUSED/);
  t.deepEqual(
    checkClientKeys(facts.database?.clients ?? []).map((f) => [f.id, f.subject.label]),
    [['client-jwks-uri-unreachable', 'gone']],
  );
});

test('a keyed client needs no secret, and one holding secrets is warned about', (t) => {
  const bare = withSecrets(keyed({ id: 'bare', jwks: { keys: [publicKey('k')] } }), []);
  const holding = withSecrets(keyed({ id: 'holding', jwks: { keys: [publicKey('k')] } }));
  t.deepEqual(
    checkClientSecrets([bare, holding], NOW).map((f) => [f.id, f.severity, f.subject.id, f.fix]),
    [['client-keys-has-secret', 'warning', 'holding', null]],
  );
});
