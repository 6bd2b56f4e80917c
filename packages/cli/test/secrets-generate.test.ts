import { loadServerConfig } from '@portcullis/auth-server';
import test from 'ava';
import { cliWith, failsWithOneLine, showsHelpWithExample } from './helpers.ts';

// `secrets generate` needs no database: every run here points at one that cannot be reached.
const nowhere = { url: 'postgres://postgres@127.0.0.1:1/none' };
const generate = (args: string[] = []) => cliWith(nowhere, ['secrets', 'generate', ...args]);

/** The `NAME=value` lines of an .env fragment, as Compose and `docker run --env-file` read them. */
function parseEnvLines(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of text.split('\n').filter(Boolean)) {
    const match = /^([A-Z_][A-Z0-9_]*)=(\S+)$/.exec(line);
    if (!match?.[1] || !match[2]) throw new Error(`not an .env line: ${JSON.stringify(line)}`);
    values[match[1]] = match[2];
  }
  return values;
}

test('prints the two secrets as .env lines, and nothing else', async (t) => {
  const result = await generate();
  t.is(result.code, 0, result.stderr);
  t.is(result.stderr, '');
  t.true(result.stdout.endsWith('\n'));
  const values = parseEnvLines(result.stdout);
  t.deepEqual(Object.keys(values), ['PORTCULLIS_COOKIE_KEYS', 'PORTCULLIS_KEY_ENCRYPTION_KEY']);
  // base64url of 32 bytes: 43 characters from the URL-safe alphabet, no padding, no comma.
  for (const value of Object.values(values)) t.regex(value, /^[A-Za-z0-9_-]{43}$/);
});

test("serve's own configuration accepts them, in production mode", async (t) => {
  const values = parseEnvLines((await generate()).stdout);
  const config = loadServerConfig(
    { ...values, PORTCULLIS_ISSUER: 'https://auth.example.com' },
    { mode: 'production' },
  );
  const { PORTCULLIS_COOKIE_KEYS: cookieKeys = '', PORTCULLIS_KEY_ENCRYPTION_KEY: kek = '' } =
    values;
  t.deepEqual(config.cookieKeys, [cookieKeys]);
  t.is(config.keyEncryptionKey.length, 32);
  t.is(config.keyEncryptionKey.toString('base64url'), kek);
});

test('two runs differ, and no run repeats a value', async (t) => {
  const runs = await Promise.all([generate(), generate(), generate()]);
  const values = runs.flatMap((run) => Object.values(parseEnvLines(run.stdout)));
  t.is(values.length, 6);
  t.is(new Set(values).size, 6);
});

test('--json prints one object keyed by variable name, the same forms', async (t) => {
  const result = await generate(['--json']);
  t.is(result.code, 0, result.stderr);
  t.is(result.stderr, '');
  const values = JSON.parse(result.stdout) as Record<string, unknown>;
  t.deepEqual(Object.keys(values), ['PORTCULLIS_COOKIE_KEYS', 'PORTCULLIS_KEY_ENCRYPTION_KEY']);
  for (const value of Object.values(values)) t.regex(String(value), /^[A-Za-z0-9_-]{43}$/);
  t.notThrows(() => loadServerConfig(values as Record<string, string>, { mode: 'production' }));
});

test('usage errors: an argument, an unknown option; exit 2', async (t) => {
  failsWithOneLine(t, await generate(['now']), /too many arguments/, 2);
  failsWithOneLine(t, await generate(['--length', '64']), /unknown option '--length'/, 2);
});

test('--help has examples, for a checkout and for the image', async (t) => {
  const help = await showsHelpWithExample(t, nowhere, ['secrets', 'generate']);
  t.regex(help, /\$ portcullis secrets generate >> \.env/);
  t.regex(help, /\$ docker run --rm portcullis:local secrets generate >> \.env/);
});
