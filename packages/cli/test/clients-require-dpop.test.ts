import { testClientFlag } from './client-flag-fixtures.ts';
import { createService, exampleResourceDatabase } from './clients-fixtures.ts';

// `--require-dpop` (DPoP-bound access tokens, RFC 9449) through create, update, show and apply.

const database = exampleResourceDatabase();

testClientFlag(database, {
  flag: '--require-dpop',
  key: 'dpop_bound_access_tokens',
  label: 'DPoP required',
  create: createService,
  declared: '    grants: [client_credentials]\n',
});
