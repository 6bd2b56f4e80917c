import test from 'ava';
import { testClientFlag } from './client-flag-fixtures.ts';
import {
  type ClientJson,
  cli,
  cliJson,
  createService,
  createWebApp,
  exampleResourceDatabase,
  failsWithOneLine,
} from './clients-fixtures.ts';

// `--require-par` (pushed authorization requests, RFC 9126) through create, update, show and
// apply; refused for a client with no authorization requests to push.

const database = exampleResourceDatabase();

testClientFlag(database, {
  flag: '--require-par',
  key: 'require_pushed_authorization_requests',
  label: 'PAR required',
  create: createWebApp,
  declared: '    grants: [authorization_code]\n    redirect_uris: [https://app.example.com/cb]\n',
});

const REFUSED = /--require-par is only for clients with the authorization_code grant/;

test('only a client with the authorization_code grant can be required to push', async (t) => {
  const created = await cli(database, [
    'clients',
    'create',
    '--name',
    'machine',
    '--grant',
    'client_credentials',
    '--require-par',
  ]);
  failsWithOneLine(t, created, REFUSED);
  t.is((await cli(database, ['clients', 'show', 'machine'])).code, 1);

  await createService(database, 'service');
  failsWithOneLine(
    t,
    await cli(database, ['clients', 'update', 'service', '--require-par']),
    REFUSED,
  );
  const shown = await cliJson<ClientJson & { require_pushed_authorization_requests: boolean }>(
    database,
    ['clients', 'show', 'service'],
  );
  t.false(shown.require_pushed_authorization_requests);
});
