import test from 'ava';
import {
  type ClientJson,
  cli,
  cliJson,
  createService,
  createWebApp,
  exampleResourceDatabase,
  failsWithOneLine,
  type SecretJson,
} from './clients-fixtures.ts';
import { API, showsHelpWithExample } from './helpers.ts';

let service: ClientJson;
const database = exampleResourceDatabase(async () => {
  service = await createService(database, 'Worker', ['--access-token-ttl', '5m']);
});

test('shows a client by id or by name in any case', async (t) => {
  const byName = await cliJson<ClientJson & { secrets: SecretJson[] }>(database, [
    'clients',
    'show',
    'WORKER',
  ]);
  t.is(byName.client_id, service.client_id);
  t.is(byName.access_token_ttl, 300);
  t.is(byName.refresh_token_ttl, null);
  t.deepEqual(
    byName.secrets.map((s) => [s.name, s.expires_at, s.expired, s.last_used_at]),
    [['initial', null, false, null]],
  );
  const byId = await cliJson<ClientJson>(database, ['clients', 'show', service.client_id]);
  t.is(byId.name, 'Worker');
});

test('never shows a secret or its hash', async (t) => {
  const [row] = await database.db('client_secrets').where({ client_id: service.client_id });
  const hash = String(row.secret_hash);
  for (const args of [['--json'], []]) {
    const result = await cli(database, ['clients', 'show', 'worker', ...args]);
    t.is(result.code, 0);
    t.false(result.stdout.includes(hash.slice(7)), 'no hash');
    t.false(result.stdout.includes(service.client_secret as string), 'no secret');
  }
});

test('human output lists every field and the secrets table', async (t) => {
  const result = await cli(database, ['clients', 'show', service.client_id]);
  t.is(result.code, 0);
  for (const line of [
    /^name: +Worker$/m,
    new RegExp(`^client_id: +${service.client_id}$`, 'm'),
    /^type: +confidential, third-party$/m,
    /^status: +active$/m,
    /^grants: +client_credentials$/m,
    /^scope: +notes:read$/m,
    new RegExp(`^resources: +${API}$`, 'm'),
    /^access-token TTL: +5m$/m,
    /^last used: +never$/m,
    /^SECRET +CREATED +EXPIRES +LAST USED$/m,
    /^initial +\S+ +never +never$/m,
  ]) {
    t.regex(result.stdout, line);
  }
});

test('a public client has no secrets table; a refresh client shows its refresh lifetime', async (t) => {
  const app = await createWebApp(database, 'SPA', ['--public']);
  const result = await cli(database, ['clients', 'show', app.client_id]);
  t.regex(result.stdout, /^type: +public, third-party$/m);
  t.regex(result.stdout, /^refresh-token TTL: +14d \(default\)$/m);
  t.regex(result.stdout, /^access-token TTL: +the resource's$/m);
  t.notRegex(result.stdout, /SECRET/);
});

test('an unknown client fails with one line; a missing argument is a usage error', async (t) => {
  failsWithOneLine(
    t,
    await cli(database, ['clients', 'show', 'nope']),
    /no client with id or name "nope"/,
  );
  failsWithOneLine(t, await cli(database, ['clients', 'show']), /missing required argument/, 2);
});

test('--help has an example; an unknown option is a usage error', async (t) => {
  await showsHelpWithExample(t, database, ['clients', 'show']);
  failsWithOneLine(
    t,
    await cli(database, ['clients', 'show', 'worker', '--secrets']),
    /unknown option '--secrets'/,
    2,
  );
});
