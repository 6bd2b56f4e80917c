import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import test from 'ava';
import {
  API,
  type ClientJson,
  cli,
  cliJson,
  exampleResourceDatabase,
  failsWithOneLine,
} from './clients-fixtures.ts';

// `--web-origin` (CORS for browser apps) through create, update, show and apply.

const database = exampleResourceDatabase();
let dir: string;
test.before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'portcullis-web-origins-'));
});
test.after.always(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

type WithOrigins = ClientJson & { web_origins: string[]; changed?: string[] };

const spa = (name: string, args: string[]) =>
  cli(database, [
    'clients',
    'create',
    '--name',
    name,
    '--public',
    '--grant',
    'authorization_code',
    '--redirect-uri',
    'https://spa.example.com/cb',
    '--resource',
    API,
    '--scope',
    'openid notes:read',
    ...args,
  ]);

test('create, update, clear and show web origins', async (t) => {
  const created = await spa('SPA', [
    '--web-origin',
    'https://SPA.example.com:443',
    'http://localhost:5173',
    'https://spa.example.com',
    '--json',
  ]);
  t.is(created.code, 0, created.stderr);
  const client = JSON.parse(created.stdout) as WithOrigins;
  // Normalized as browsers send Origin, and deduplicated.
  t.deepEqual(client.web_origins, ['https://spa.example.com', 'http://localhost:5173']);

  const shown = await cli(database, ['clients', 'show', 'SPA']);
  t.regex(shown.stdout, /^web origins: +https:\/\/spa\.example\.com, http:\/\/localhost:5173$/m);

  const replaced = await cliJson<WithOrigins>(database, [
    'clients',
    'update',
    'SPA',
    '--web-origin',
    'https://app.example.com',
    '--json',
  ]);
  t.deepEqual(replaced.web_origins, ['https://app.example.com']);
  t.deepEqual(replaced.changed, ['web_origins']);

  const cleared = await cliJson<WithOrigins>(database, [
    'clients',
    'update',
    'SPA',
    '--no-web-origin',
    '--json',
  ]);
  t.deepEqual(cleared.web_origins, []);
  t.regex((await cli(database, ['clients', 'show', 'SPA'])).stdout, /^web origins: +-$/m);
  const audit = await database.db('audit_events').where({ type: 'client.updated' });
  t.true(audit.some((e) => JSON.stringify(e.details ?? e).includes('web_origins')));
});

test('an origin is scheme://host[:port], https or loopback http', async (t) => {
  for (const [origin, why] of [
    [
      'https://spa.example.com/app',
      /web origin "https:\/\/spa\.example\.com\/app" must be scheme:\/\/host\[:port\] only/,
    ],
    ['http://spa.example.com', /must use https \(plain http only on loopback\)/],
    ['spa.example.com', /is not an origin/],
  ] as const) {
    failsWithOneLine(t, await spa(`bad ${origin}`, ['--web-origin', origin]), why);
  }
});

test('only public clients with the authorization_code grant take web origins', async (t) => {
  const result = await cli(database, [
    'clients',
    'create',
    '--name',
    'server app',
    '--grant',
    'authorization_code',
    '--redirect-uri',
    'https://server.example.com/cb',
    '--web-origin',
    'https://server.example.com',
  ]);
  failsWithOneLine(
    t,
    result,
    /--web-origin is only for public clients with the authorization_code grant/,
  );
});

test('apply: the web_origins key creates, changes and clears them', async (t) => {
  const declare = async (origins: string) => {
    const file = path.join(dir, `origins-${Math.random().toString(36).slice(2)}.yaml`);
    await writeFile(
      file,
      `clients:
  - name: applied-spa
    grants: [authorization_code]
    public: true
    redirect_uris: [https://applied.example.com/cb]
${origins}`,
    );
    return cli(database, ['apply', '-f', file]);
  };
  const show = () => cliJson<WithOrigins>(database, ['clients', 'show', 'applied-spa']);

  const created = await declare('    web_origins: [https://applied.example.com]\n');
  t.is(created.code, 0, created.stderr);
  t.deepEqual((await show()).web_origins, ['https://applied.example.com']);

  const changed = await declare('    web_origins: [http://127.0.0.1:8080]\n');
  t.is(changed.code, 0, changed.stderr);
  t.regex(changed.stdout, /web_origins/);
  t.deepEqual((await show()).web_origins, ['http://127.0.0.1:8080']);

  const refused = await declare('    web_origins: [https://applied.example.com/path]\n');
  t.is(refused.code, 1);
  t.regex(refused.stderr, /clients\[0\]\.web_origins\[0\]/);

  t.is((await declare('')).code, 0);
  t.deepEqual((await show()).web_origins, []);
});
