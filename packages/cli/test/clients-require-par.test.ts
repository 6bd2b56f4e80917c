import { testAuthorizationCodeOnly, testClientFlag } from './client-flag-fixtures.ts';
import { createWebApp, exampleResourceDatabase } from './clients-fixtures.ts';

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

testAuthorizationCodeOnly(
  database,
  {
    flag: '--require-par',
    key: 'require_pushed_authorization_requests',
    refused: /--require-par is only for clients with the authorization_code grant/,
  },
  'be required to push',
);
