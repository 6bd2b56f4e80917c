import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import { decodeJwt } from 'jose';
import * as client from 'openid-client';
import { oauthError, type Stack, startStack, withinOneSecond } from '../src/index.ts';

// A client declared with `portcullis apply` gets tokens from the running authorization server,
// and a later apply that changes its scopes reaches the server within a second (LISTEN/NOTIFY).

let database: TestDatabase;
let stack: Stack;
test.before(async () => {
  database = await createTestDatabase();
  stack = await startStack(database.db, database.url);
});
test.after.always(async () => {
  await stack?.stop();
  await database?.drop();
});

const reports = 'https://reports.example.test';

const declaration = (clientScopes: string[]) => `
resources:
  - identifier: ${reports}
    name: Reports API
    access_token_ttl: 5m
    scopes:
      - name: reports:read
        description: Read the reports
      - name: reports:write
        description: Publish reports
clients:
  - name: nightly-export
    grants: [client_credentials]
    first_party: true
    scopes: [${clientScopes.join(', ')}]
    resources: [${reports}]
`;

interface ApplyJson {
  changed: boolean;
  clients: Array<{ name: string; client_id: string; action: string }>;
  secrets: Record<string, string>;
}

test('a declared client gets tokens, and a scope change by apply is seen within a second', async (t) => {
  const created = await stack.cli<ApplyJson>(['apply', '-f', '-'], declaration(['reports:read']));
  const declared = created.clients.find((c) => c.name === 'nightly-export');
  t.is(declared?.action, 'create');
  const secret = created.secrets['nightly-export'];
  if (!declared || !secret) return t.fail('no client or secret printed');

  const config = await client.discovery(
    new URL(stack.issuer),
    declared.client_id,
    undefined,
    client.ClientSecretBasic(secret),
    { execute: [client.allowInsecureRequests] },
  );
  const token = (scope: string) =>
    client.clientCredentialsGrant(config, { resource: reports, scope });

  const first = await token('reports:read');
  const claims = decodeJwt(first.access_token);
  t.is(claims.aud, reports);
  t.is(claims.client_id, declared.client_id);
  t.is(claims.scope, 'reports:read');
  t.is((claims.exp as number) - (claims.iat as number), 300, "the resource's declared lifetime");
  t.is(await oauthError(token('reports:write')), 'invalid_scope', 'not declared for the client');

  // The same file again: nothing changes, and the client keeps working.
  const again = await stack.cli<ApplyJson>(['apply', '-f', '-'], declaration(['reports:read']));
  t.false(again.changed);
  t.deepEqual(again.secrets, {});

  // Swap the client's scopes: the running server follows within a second.
  const swapped = await stack.cli<ApplyJson>(['apply', '-f', '-'], declaration(['reports:write']));
  t.is(swapped.clients.find((c) => c.name === 'nightly-export')?.action, 'update');
  const granted = await withinOneSecond(
    () => oauthError(token('reports:write')),
    (answer) => answer === 'no error',
  );
  t.is(granted, 'no error', 'the new scope is granted within a second');
  const refused = await withinOneSecond(
    () => oauthError(token('reports:read')),
    (answer) => answer !== 'no error',
  );
  t.is(refused, 'invalid_scope', 'the removed scope is refused within a second');
  t.is((await token('reports:write')).scope, 'reports:write');
});
