import { testAuthorizationCodeOnly, testClientFlag } from './client-flag-fixtures.ts';
import { createWebApp, exampleResourceDatabase } from './clients-fixtures.ts';

// `--require-mfa` (its users must pass a second factor) through create, update, show and apply;
// refused for a client whose grants have no user signing in.

const database = exampleResourceDatabase();

testClientFlag(database, {
  flag: '--require-mfa',
  key: 'require_mfa',
  label: 'MFA required',
  create: createWebApp,
  declared: '    grants: [authorization_code]\n    redirect_uris: [https://app.example.com/cb]\n',
});

testAuthorizationCodeOnly(
  database,
  {
    flag: '--require-mfa',
    key: 'require_mfa',
    refused: /--require-mfa is only for clients with the authorization_code grant/,
  },
  'require a second factor',
);
