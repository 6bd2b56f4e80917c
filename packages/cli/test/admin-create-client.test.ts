import test from 'ava';
import {
  auditOf,
  cli,
  cliJson,
  exampleResourceDatabase,
  failsWithOneLine,
} from './clients-fixtures.ts';
import { showsHelpWithExample } from './helpers.ts';

const database = exampleResourceDatabase();

interface Created {
  client_id: string;
  client_secret?: string;
  name: string;
  grant_types: string[];
  resources: string[];
  scope: string;
  first_party: boolean;
  dpop_bound_access_tokens: boolean;
}

test('creates an admin client: client_credentials, the admin resource (registered the first time) and its scopes; audited', async (t) => {
  const created = await cliJson<Created>(database, [
    'admin',
    'create-client',
    'ci',
    '--scope',
    'admin:read admin:write',
    '--require-dpop',
  ]);
  t.deepEqual(created.grant_types, ['client_credentials']);
  t.deepEqual(created.resources, ['urn:portcullis:admin']);
  t.is(created.scope, 'admin:read admin:write');
  t.true(created.first_party);
  t.true(created.dpop_bound_access_tokens);
  t.regex(created.client_secret ?? '', /^.{40,}$/);

  const resource = await cliJson<{ scopes: Array<{ name: string }> }>(database, [
    'resources',
    'show',
    'urn:portcullis:admin',
  ]);
  t.deepEqual(resource.scopes.map((s) => s.name).sort(), [
    'admin:keys',
    'admin:read',
    'admin:users',
    'admin:write',
  ]);
  const events = await auditOf(database, created.client_id);
  t.deepEqual(
    events.map((e) => [e.type, e.actor.startsWith('cli:')]),
    [
      ['client.created', true],
      ['client.secret_added', true],
    ],
  );

  // A second one uses the registered resource; the text output shows the secret once.
  const second = await cli(database, ['admin', 'create-client', 'reader']);
  t.is(second.code, 0, second.stderr);
  t.regex(second.stdout, /^created admin client "reader"$/m);
  t.regex(second.stdout, /^client_secret: \S{40,}$/m);
  t.regex(second.stdout, /^scope: +admin:read$/m);
});

test('refuses what is not an admin scope, a taken name and no name, with one line', async (t) => {
  failsWithOneLine(
    t,
    await cli(database, ['admin', 'create-client', 'wrong', '--scope', 'notes:read']),
    /^portcullis: "notes:read" is not an admin scope \(admin:read, admin:write, admin:keys, admin:users\)$/m,
  );
  const listed = await cliJson<Array<{ name: string }>>(database, ['clients', 'list']);
  t.false(
    listed.some((c) => c.name === 'wrong'),
    'nothing written',
  );
  await cliJson(database, ['admin', 'create-client', 'taken']);
  failsWithOneLine(t, await cli(database, ['admin', 'create-client', 'TAKEN']), /taken/i);
  failsWithOneLine(
    t,
    await cli(database, ['admin', 'create-client']),
    /missing required argument/,
    2,
  );
  const help = await showsHelpWithExample(t, database, ['admin', 'create-client']);
  t.regex(help, /PORTCULLIS_ADMIN_API=on/);
});
