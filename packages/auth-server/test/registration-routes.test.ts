import { randomBytes } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import { createRegistrationTokensService } from '../src/index.ts';
import { type LogLine, parseSamples, startObservedServer } from './observability-fixtures.ts';

// The registration routes over HTTP: their names and path templates in the access log and the
// metrics (never a client id or a token), and bodies refused before anything is read into a
// client.

let database: TestDatabase;
let server: Awaited<ReturnType<typeof startObservedServer>>;
let token: string;
test.before(async () => {
  database = await createTestDatabase();
  server = await startObservedServer(database, { PORTCULLIS_REGISTRATION: 'on' });
  ({ token } = await createRegistrationTokensService(database.db).create({ maxUses: 10 }));
});
test.after.always(async () => {
  await server?.server.close();
  await database?.drop();
});

const accessLines = (): LogLine[] =>
  server.logs.lines().filter((line) => line.message === 'request');

function post(body: string, headers: Record<string, string> = {}) {
  return fetch(`${server.url}/reg`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
    body,
  });
}

test.serial('routes registration and registration_client, logged by template', async (t) => {
  const created = await post(
    JSON.stringify({ redirect_uris: ['https://app.example.com/cb'], client_name: 'logged' }),
  );
  t.is(created.status, 201);
  const body = (await created.json()) as Record<string, string>;
  const read = await fetch(body.registration_client_uri as string, {
    headers: { authorization: `Bearer ${body.registration_access_token}` },
  });
  t.is(read.status, 200);
  t.is(read.headers.get('cache-control'), 'no-store');

  const lines = accessLines();
  t.like(
    lines.find((l) => l.route === 'registration'),
    { path: '/reg', status: 201 },
  );
  t.like(
    lines.find((l) => l.route === 'registration_client'),
    {
      path: '/reg/:clientId',
      status: 200,
      method: 'GET',
    },
  );
  const text = server.logs.text();
  for (const secret of [
    token,
    body.registration_access_token,
    body.client_secret,
    body.client_id,
  ]) {
    t.false(text.includes(secret as string), 'no token, secret or client id in the log');
  }
  const samples = parseSamples(await server.server.metrics.render());
  t.true(samples.some((s) => s.labels.route === 'registration' && s.labels.method === 'POST'));
  t.true(samples.some((s) => s.labels.route === 'registration_client'));
});

test('bodies that are not JSON, not declared JSON, or too large', async (t) => {
  const notJson = await post('{"redirect_uris": [');
  t.is(notJson.status, 400);
  t.is(((await notJson.json()) as { error: string }).error, 'invalid_client_metadata');

  const form = await post('redirect_uris=x', {
    'content-type': 'application/x-www-form-urlencoded',
  });
  t.is(form.status, 400);
  t.is(((await form.json()) as { error: string }).error, 'invalid_request');

  const large = await post(JSON.stringify({ client_name: 'x'.repeat(20_000) }));
  t.is(large.status, 413);
  t.is(((await large.json()) as { error: string }).error, 'invalid_request');

  const uses = await database.db('registration_tokens').select('uses');
  // The one use is the serial test's registration (serial tests run first).
  t.deepEqual(uses, [{ uses: 1 }], 'refused bodies use nothing');
});

test('a malformed Authorization header is no token', async (t) => {
  const response = await post(JSON.stringify({ redirect_uris: ['https://a.example/cb'] }), {
    authorization: `Basic ${randomBytes(8).toString('base64')}`,
  });
  t.is(response.status, 401);
  t.is(response.headers.get('www-authenticate'), 'Bearer realm="registration"');
});
