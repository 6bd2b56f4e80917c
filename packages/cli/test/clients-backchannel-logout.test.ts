import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import test from 'ava';
import {
  type ClientJson,
  cli,
  cliJson,
  exampleResourceDatabase,
  webAppArgs,
} from './clients-fixtures.ts';
import { failsWithOneLine } from './helpers.ts';

// `--backchannel-logout-uri` and `--backchannel-logout-session-required` (OIDC Back-Channel
// Logout 1.0) through create, update, show and apply, and the refusals.

const database = exampleResourceDatabase();
let dir: string;
test.before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'portcullis-backchannel-logout-'));
});
test.after.always(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

type WithLogout = ClientJson & {
  backchannel_logout_uri: string | null;
  backchannel_logout_session_required: boolean;
  changed?: string[];
};

const RECEIVER = 'https://app.example.com/backchannel-logout';

const webApp = (name: string, args: string[]) =>
  cli(database, webAppArgs(name, [...args, '--json']));

test('create, update, clear and show the logout URI and the sid requirement', async (t) => {
  const plain = JSON.parse((await webApp('plain web app', [])).stdout) as WithLogout;
  t.is(plain.backchannel_logout_uri, null);
  t.false(plain.backchannel_logout_session_required);
  t.regex((await cli(database, ['clients', 'show', 'plain web app'])).stdout, /^logout URI: +-$/m);

  const created = await webApp('web app', [
    '--backchannel-logout-uri',
    RECEIVER,
    '--backchannel-logout-session-required',
  ]);
  t.is(created.code, 0, created.stderr);
  const app = JSON.parse(created.stdout) as WithLogout;
  t.is(app.backchannel_logout_uri, RECEIVER);
  t.true(app.backchannel_logout_session_required);
  t.regex(
    (await cli(database, ['clients', 'show', 'web app'])).stdout,
    /^logout URI: +https:\/\/app\.example\.com\/backchannel-logout \(with sid\)$/m,
  );

  const update = (args: string[]) =>
    cliJson<WithLogout>(database, ['clients', 'update', 'web app', ...args, '--json']);
  const noSid = await update(['--no-backchannel-logout-session-required']);
  t.false(noSid.backchannel_logout_session_required);
  t.deepEqual(noSid.changed, ['backchannel_logout_session_required']);
  const moved = await update(['--backchannel-logout-uri', 'http://127.0.0.1:9000/logout']);
  t.is(moved.backchannel_logout_uri, 'http://127.0.0.1:9000/logout');
  await update(['--backchannel-logout-session-required']);
  // Removing the URI removes the sid requirement that only applies to it.
  const cleared = await update(['--no-backchannel-logout-uri']);
  t.is(cleared.backchannel_logout_uri, null);
  t.false(cleared.backchannel_logout_session_required);
  t.deepEqual(cleared.changed, ['backchannel_logout_uri', 'backchannel_logout_session_required']);
});

test('a bad logout URI is refused in one line, and nothing is written', async (t) => {
  for (const [uri, why] of [
    ['not a url', /back-channel logout URI "not a url" is not an absolute URL/],
    [
      'http://app.example.com/logout',
      /back-channel logout URI "http:\/\/app\.example\.com\/logout" must use https \(plain http only on loopback\)/,
    ],
    ['https://app.example.com/logout#here', /must not contain a fragment/],
    ['https://user:pw@app.example.com/logout', /must not contain credentials/],
    ['javascript:alert(1)', /must use https/],
  ] as const) {
    failsWithOneLine(t, await webApp(`bad ${uri}`, ['--backchannel-logout-uri', uri]), why);
  }
  const list = await cliJson<ClientJson[]>(database, ['clients', 'list']);
  t.false(list.some((c) => c.name.startsWith('bad ')));
});

test('only clients with the authorization_code grant take a logout URI', async (t) => {
  const service = await cli(database, [
    'clients',
    'create',
    '--name',
    'machine',
    '--grant',
    'client_credentials',
    '--backchannel-logout-uri',
    RECEIVER,
  ]);
  failsWithOneLine(
    t,
    service,
    /--backchannel-logout-uri is only for clients with the authorization_code grant/,
  );
  failsWithOneLine(
    t,
    await webApp('sid without uri', ['--backchannel-logout-session-required']),
    /--backchannel-logout-session-required needs a back-channel logout URI/,
  );
  // Dropping the grant from a client that has a logout URI is refused the same way.
  t.is((await webApp('signs in', ['--backchannel-logout-uri', RECEIVER])).code, 0);
  failsWithOneLine(
    t,
    await cli(database, [
      'clients',
      'update',
      'signs in',
      '--grant',
      'client_credentials',
      '--no-redirect-uri',
    ]),
    /^portcullis: --backchannel-logout-uri is only for clients with the authorization_code grant/,
  );
});

test('apply: the backchannel_logout_* keys set, check and clear them', async (t) => {
  const declare = async (lines: string) => {
    const file = path.join(dir, `logout-${Math.random().toString(36).slice(2)}.yaml`);
    await writeFile(
      file,
      `clients:
  - name: applied web app
    grants: [authorization_code]
    redirect_uris: [https://app.example.com/cb]
${lines}`,
    );
    return cli(database, ['apply', '-f', file]);
  };
  const show = () => cliJson<WithLogout>(database, ['clients', 'show', 'applied web app']);

  const created = await declare(
    `    backchannel_logout_uri: ${RECEIVER}\n    backchannel_logout_session_required: true\n`,
  );
  t.is(created.code, 0, created.stderr);
  t.is((await show()).backchannel_logout_uri, RECEIVER);
  t.true((await show()).backchannel_logout_session_required);

  const refused = await declare('    backchannel_logout_uri: http://app.example.com/logout\n');
  t.is(refused.code, 1);
  t.regex(refused.stderr, /clients\[0\]\.backchannel_logout_uri/);
  t.is((await show()).backchannel_logout_uri, RECEIVER, 'nothing applied');

  const cleared = await declare('');
  t.is(cleared.code, 0, cleared.stderr);
  t.regex(cleared.stdout, /backchannel_logout_uri/);
  t.is((await show()).backchannel_logout_uri, null);
  t.false((await show()).backchannel_logout_session_required);
});
