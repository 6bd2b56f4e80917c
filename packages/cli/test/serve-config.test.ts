// The configuration schema as `portcullis serve` (and `dev`) enforce it, through the real binary:
// every production refusal, unknown PORTCULLIS_* variables, and every setting in the table being
// described and validated.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadOrCreateDevSecrets, SETTINGS } from '@portcullis/auth-server';
import { createTestDatabase, freePort, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import { cliJson } from './helpers.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const bin = path.join(root, 'packages/cli/src/bin.ts');

let database: TestDatabase;
let scratch: string;

test.before(async () => {
  database = await createTestDatabase();
  scratch = await mkdtemp(path.join(tmpdir(), 'portcullis-serve-config-'));
});
test.after.always(async () => {
  await database?.drop();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

// One pair for the whole file: the first server to start stores its signing keys encrypted
// under this key-encryption key, and every later one must decrypt them.
const SECRETS = {
  PORTCULLIS_COOKIE_KEYS: randomBytes(32).toString('base64url'),
  PORTCULLIS_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64url'),
};
const secrets = () => ({ ...SECRETS });

interface Outcome {
  /** The exit code, or 'listening' when the server came up (it was then stopped). */
  result: number | 'listening';
  stdout: string;
  stderr: string;
}

/**
 * Runs `portcullis <command>` as its own process with only `env` (and PATH), in `cwd` (an empty
 * folder unless given). Resolves with its exit code, or with 'listening' once its port answers
 * GET /healthz (and after stopping it with SIGTERM, which must exit 0).
 */
async function run(
  command: 'serve' | 'dev',
  env: Record<string, string>,
  options: { cwd?: string; defaultDataDir?: boolean } = {},
): Promise<Outcome> {
  const port = Number(env.PORTCULLIS_PORT) || (await freePort());
  const cwd = options.cwd ?? (await mkdtemp(path.join(scratch, 'cwd-')));
  const child = spawn(process.execPath, [bin, command], {
    cwd,
    env: {
      PATH: process.env.PATH,
      DATABASE_URL: database.url,
      PORTCULLIS_PORT: String(port),
      PORTCULLIS_HOST: '127.0.0.1',
      ...(options.defaultDataDir ? {} : { PORTCULLIS_DATA_DIR: path.join(cwd, 'data') }),
      ...env,
    },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  // 'close', not 'exit': 'exit' can come before the last of stderr has been read.
  const exited = new Promise<number>((resolve) => {
    child.on('close', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
  let done = false;
  void exited.then(() => {
    done = true;
  });
  // Polls until the server answers or the process ends (30 s at most, then it counts as a hang).
  for (let attempt = 0; attempt < 300 && !done; attempt += 1) {
    const up = await fetch(`http://127.0.0.1:${port}/healthz`).then(
      (response) => response.ok,
      () => false,
    );
    if (up) {
      child.kill('SIGTERM');
      const code = await exited;
      return { result: code === 0 ? 'listening' : code, stdout, stderr };
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (!done) child.kill('SIGKILL');
  return { result: await exited, stdout, stderr };
}

/** Exit `code` (1) with exactly one line on stderr matching `why`, nothing on stdout. */
function refused(t: import('ava').ExecutionContext, outcome: Outcome, why: RegExp, code = 1): void {
  t.is(outcome.result, code, outcome.stderr);
  t.regex(outcome.stderr, why);
  t.is(outcome.stderr.trim().split('\n').length, 1, outcome.stderr);
  t.is(outcome.stdout, '');
}

test('serve refuses to start without both secrets, naming them', async (t) => {
  refused(
    t,
    await run('serve', {}),
    /^portcullis: PORTCULLIS_COOKIE_KEYS and PORTCULLIS_KEY_ENCRYPTION_KEY must be set: `serve` never uses development secrets\n$/,
  );
  const { PORTCULLIS_COOKIE_KEYS } = secrets();
  refused(
    t,
    await run('serve', { PORTCULLIS_COOKIE_KEYS }),
    /^portcullis: PORTCULLIS_KEY_ENCRYPTION_KEY must be set/,
  );
});

test('serve refuses the development secrets of the data folder, each and both', async (t) => {
  const cwd = await mkdtemp(path.join(scratch, 'dev-secrets-'));
  const dataDir = path.join(cwd, 'data');
  // The same function `portcullis dev` uses to generate them.
  const { secrets: dev } = await loadOrCreateDevSecrets(dataDir);
  const real = secrets();
  const devCookie = dev.cookieKeys[0] as string;
  refused(
    t,
    await run('serve', { ...real, PORTCULLIS_COOKIE_KEYS: devCookie }, { cwd }),
    /^portcullis: PORTCULLIS_COOKIE_KEYS is the development secret of the data folder \(dev-secrets\.json\): `serve` never uses development secrets\n$/,
  );
  refused(
    t,
    // Hidden behind a real key it is still refused: every key verifies cookies.
    await run(
      'serve',
      { ...real, PORTCULLIS_COOKIE_KEYS: `${real.PORTCULLIS_COOKIE_KEYS},${devCookie}` },
      { cwd },
    ),
    /PORTCULLIS_COOKIE_KEYS is the development secret/,
  );
  refused(
    t,
    await run('serve', { ...real, PORTCULLIS_KEY_ENCRYPTION_KEY: dev.keyEncryptionKey }, { cwd }),
    /^portcullis: PORTCULLIS_KEY_ENCRYPTION_KEY is the development secret/,
  );
  refused(
    t,
    await run(
      'serve',
      { PORTCULLIS_COOKIE_KEYS: devCookie, PORTCULLIS_KEY_ENCRYPTION_KEY: dev.keyEncryptionKey },
      { cwd },
    ),
    /PORTCULLIS_COOKIE_KEYS and PORTCULLIS_KEY_ENCRYPTION_KEY are the development secret/,
  );
  // Real secrets next to the same data folder: serve starts.
  t.is((await run('serve', real, { cwd })).result, 'listening');
});

test('serve finds the development secrets in the default data folder (.portcullis)', async (t) => {
  const cwd = await mkdtemp(path.join(scratch, 'default-dir-'));
  const { secrets: dev } = await loadOrCreateDevSecrets(path.join(cwd, '.portcullis'));
  const outcome = await run(
    'serve',
    { ...secrets(), PORTCULLIS_KEY_ENCRYPTION_KEY: dev.keyEncryptionKey },
    { cwd, defaultDataDir: true },
  );
  refused(t, outcome, /PORTCULLIS_KEY_ENCRYPTION_KEY is the development secret/);
});

test('serve refuses a plain-http issuer outside loopback, and accepts https and loopback', async (t) => {
  for (const issuer of ['http://auth.example.com', 'http://10.0.0.5:3000', 'http://[::2]']) {
    refused(
      t,
      await run('serve', { ...secrets(), PORTCULLIS_ISSUER: issuer }),
      /^portcullis: PORTCULLIS_ISSUER must use https in production \(http only on loopback\)\n$/,
    );
  }
  for (const issuer of ['https://auth.example.com', 'http://127.0.0.1:3000', 'http://localhost']) {
    const outcome = await run('serve', { ...secrets(), PORTCULLIS_ISSUER: issuer });
    t.is(outcome.result, 'listening', `${issuer}: ${outcome.stderr}`);
  }
});

test('serve never runs oidc-provider development interactions: the login page is ours', async (t) => {
  // No setting turns them on: the variable one would guess is refused as unknown.
  refused(
    t,
    await run('serve', { ...secrets(), PORTCULLIS_DEV_INTERACTIONS: 'true' }),
    /^portcullis: PORTCULLIS_DEV_INTERACTIONS \(did you mean PORTCULLIS_[A-Z_]+\?\) is not a setting; see docs\/configuration\.md\n$/,
  );

  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const api = 'https://api.serve-config.example';
  await cliJson(database, [
    'resources',
    'create',
    '--identifier',
    api,
    '--name',
    'Serve config API',
    '--scope',
    'notes:read=Read your notes',
  ]);
  const app = await cliJson<{ client_id: string }>(database, [
    'clients',
    'create',
    '--name',
    'serve-config-app',
    '--public',
    '--grant',
    'authorization_code',
    '--redirect-uri',
    'http://127.0.0.1:9/callback',
    '--resource',
    api,
    '--scope',
    'openid notes:read',
  ]);
  const cwd = await mkdtemp(path.join(scratch, 'interactions-'));
  const child = spawn(process.execPath, [bin, 'serve'], {
    cwd,
    env: {
      PATH: process.env.PATH,
      DATABASE_URL: database.url,
      PORTCULLIS_PORT: String(port),
      PORTCULLIS_HOST: '127.0.0.1',
      PORTCULLIS_ISSUER: issuer,
      PORTCULLIS_JANITOR_INTERVAL: 'off',
      ...secrets(),
    },
    stdio: 'ignore',
  });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  try {
    let up = false;
    for (let attempt = 0; attempt < 300 && !up && child.exitCode === null; attempt += 1) {
      up = await fetch(`${issuer}/healthz`).then(
        (r) => r.ok,
        () => false,
      );
      if (!up) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    t.true(up, 'serve came up');
    const authorize = new URL(`${issuer}/auth`);
    authorize.search = new URLSearchParams({
      client_id: app.client_id,
      response_type: 'code',
      redirect_uri: 'http://127.0.0.1:9/callback',
      scope: 'openid notes:read',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
    }).toString();
    const first = await fetch(authorize, { redirect: 'manual' });
    t.true(first.status >= 300 && first.status < 400, `redirect, got ${first.status}`);
    const cookie = first.headers
      .getSetCookie()
      .map((line) => line.split(';')[0])
      .join('; ');
    const page = await fetch(new URL(first.headers.get('location') as string, issuer), {
      headers: { cookie },
    });
    t.is(page.status, 200);
    const html = await page.text();
    // Our login page (the contract's inputs, a CSRF token, frame-ancestors 'none'), not
    // oidc-provider's development page (inputs "login" and "password", no CSRF token).
    t.regex(html, /name="username"/);
    t.regex(html, /name="password"/);
    t.regex(html, /name="csrf"/);
    t.notRegex(html, /name="login"/);
    t.regex(page.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
});

test('an unknown PORTCULLIS_* variable stops serve, naming it and the closest setting', async (t) => {
  // Even before the missing secrets: a misspelt secret name is the likelier mistake.
  refused(
    t,
    await run('serve', { PORTCULLIS_COOKIE_KEY: 'k'.repeat(40) }),
    /^portcullis: PORTCULLIS_COOKIE_KEY \(did you mean PORTCULLIS_COOKIE_KEYS\?\) is not a setting; see docs\/configuration\.md\n$/,
  );
  refused(
    t,
    await run('serve', { ...secrets(), PORTCULLIS_ISUER: 'https://auth.example.com' }),
    /^portcullis: PORTCULLIS_ISUER \(did you mean PORTCULLIS_ISSUER\?\) is not a setting/,
  );
  refused(
    t,
    await run('serve', {
      ...secrets(),
      PORTCULLIS_TRUST_PROXIES: 'true',
      PORTCULLIS_JANITOR_INTERVALL: '1h',
    }),
    /^portcullis: PORTCULLIS_JANITOR_INTERVALL \(did you mean PORTCULLIS_JANITOR_INTERVAL\?\), PORTCULLIS_TRUST_PROXIES \(did you mean PORTCULLIS_TRUST_PROXY\?\) are not settings; see docs\/configuration\.md\n$/,
  );
  // The value is never echoed: it may be a secret.
  const outcome = await run('serve', { ...secrets(), PORTCULLIS_COOKIE_SECRET: 'hunter2-hunter2' });
  t.notRegex(outcome.stderr, /hunter2/);
  // Variables that merely look alike are not Portcullis settings and are left alone.
  t.is(
    (await run('serve', { ...secrets(), PORTCULLISX: '1', MY_PORTCULLIS_PORT: '1' })).result,
    'listening',
  );
});

test('an unknown PORTCULLIS_* variable stops dev too', async (t) => {
  refused(
    t,
    await run('dev', { PORTCULLIS_API_PROT: '4001' }),
    /^portcullis: PORTCULLIS_API_PROT \(did you mean PORTCULLIS_API_PORT\?\) is not a setting/,
  );
});

test('every setting in the table is described, has a default, and says what uses it', (t) => {
  const names = SETTINGS.map((s) => s.env);
  t.deepEqual([...new Set(names)], names, 'no setting twice');
  for (const setting of SETTINGS) {
    // DATABASE_URL is the one setting outside the PORTCULLIS_ prefix: every PostgreSQL tool reads it.
    t.regex(setting.env, /^(PORTCULLIS_[A-Z0-9_]+|DATABASE_URL)$/);
    t.true(setting.description.length >= 10, `${setting.env} is described`);
    t.true(setting.default.length > 0, `${setting.env} has a default`);
    t.true((setting.usedBy ?? ['serve']).length > 0, `${setting.env} says what uses it`);
  }
});

// Where PORTCULLIS_* names are read, set or documented.
async function filesNamingSettings(): Promise<string[]> {
  const packages = await readdir(path.join(root, 'packages'));
  const roots = [
    ...packages.map((p) => path.join(root, 'packages', p, 'src')),
    path.join(root, 'scripts'),
    path.join(root, 'infra'),
    path.join(root, 'docs'),
    path.join(root, 'README.md'),
    path.join(root, '.ci/run'),
  ];
  const files: string[] = [];
  for (const start of roots) {
    const entries = await readdir(start, { recursive: true, withFileTypes: true }).catch(() => []);
    if (entries.length === 0) files.push(start);
    for (const entry of entries) {
      if (entry.isFile()) files.push(path.join(entry.parentPath, entry.name));
    }
  }
  return files.filter((file) => !file.includes('node_modules'));
}

test('every PORTCULLIS_* variable the code, scripts, infra and docs name is in the table', async (t) => {
  const known = new Set(SETTINGS.map((s) => s.env));
  const missing = new Set<string>();
  for (const file of await filesNamingSettings()) {
    const text = await readFile(file, 'utf8').catch(() => '');
    for (const [name] of text.matchAll(/PORTCULLIS_[A-Z0-9_]*[A-Z0-9]/g)) {
      if (!known.has(name)) missing.add(`${name} (${path.relative(root, file)})`);
    }
  }
  t.deepEqual([...missing], [], 'add each to SETTING in config/settings.ts');
});

// Settings whose every value is acceptable: paths and names.
const FREE_FORM = new Set([
  'PORTCULLIS_DATA_DIR',
  'PORTCULLIS_ACTOR',
  'PORTCULLIS_TEST_DATA_DIR',
  // Any name of 1 to 60 characters; an empty or longer one is refused (auth-server brand.test.ts).
  'PORTCULLIS_BRAND_NAME',
  // Remote mode's credentials and scopes: opaque to the CLI, judged by the server receiving them
  // (cli clients-remote.test.ts: a wrong secret is invalid_client, a narrow token 403).
  'PORTCULLIS_ADMIN_TOKEN',
  'PORTCULLIS_ADMIN_CLIENT_ID',
  'PORTCULLIS_ADMIN_CLIENT_SECRET',
  'PORTCULLIS_ADMIN_SCOPE',
]);

// DATABASE_URL is checked by connecting to it, not by the configuration's validation.
for (const setting of SETTINGS.filter((s) => !FREE_FORM.has(s.env) && s.env !== 'DATABASE_URL')) {
  const uses = setting.usedBy ?? ['serve', 'dev'];
  const command = uses.includes('serve') || uses.includes('cli') ? 'serve' : 'dev';
  if (!uses.includes('serve') && !uses.includes('dev') && !uses.includes('cli')) continue;
  test(`${command} validates ${setting.env}: a nonsense value stops it, naming the variable`, async (t) => {
    const outcome = await run(command, { ...secrets(), [setting.env]: '%nonsense%' });
    t.not(outcome.result, 'listening', `${command} started with ${setting.env}=%nonsense%`);
    // PORTCULLIS_SERVER puts the CLI in remote mode, which `serve` refuses whatever the value,
    // as a usage error (exit 2), naming the variable to unset.
    const code = setting.env === 'PORTCULLIS_SERVER' ? 2 : 1;
    refused(t, outcome, new RegExp(`^portcullis: .*${setting.env}`), code);
  });
}
