import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadServerConfig } from '@portcullis/auth-server';
import { createTestDatabase, freePort, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import * as client from 'openid-client';
import { cliJson, discoverClient, formAction, HttpBrowser, inputValue } from '../src/index.ts';

// Issue 6, item 4: `portcullis serve` on SIGTERM stops accepting connections, finishes the
// requests in flight (for at most PORTCULLIS_SHUTDOWN_GRACE), closes its pool and exits 0; a
// restart loses no session, sign-in or grant, because they all live in PostgreSQL.

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const bin = path.join(root, 'packages/cli/src/bin.ts');
const API = 'https://api.example.test';
const REDIRECT = 'http://127.0.0.1:8765/callback';
const PASSWORD = 'correct horse battery staple';
/** Bounds for things that take milliseconds when all is well. */
const BOUND_MS = 15_000;

interface Credentials {
  client_id: string;
  client_secret: string;
}

let database: TestDatabase;
let app: Credentials;
let service: Credentials;
// The same secrets for every start: what a deployment's restart keeps.
const secrets = {
  PORTCULLIS_COOKIE_KEYS: randomBytes(32).toString('base64url'),
  PORTCULLIS_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64url'),
};

// `portcullis ...args --json` in process.
const cli = <T>(args: string[], stdin = ''): Promise<T> =>
  cliJson<T>({ DATABASE_URL: database.url }, args, stdin);

test.before(async () => {
  database = await createTestDatabase();
  await cli([
    ...['resources', 'create', '--identifier', API, '--name', 'API'],
    ...['--scope', 'notes:read=Read notes'],
  ]);
  await cli(['users', 'create', '--username', 'alice', '--password-stdin'], `${PASSWORD}\n`);
  app = await cli([
    ...['clients', 'create', '--name', 'Console', '--first-party'],
    ...['--grant', 'authorization_code', 'refresh_token', '--redirect-uri', REDIRECT],
    ...['--resource', API, '--scope', 'openid offline_access notes:read'],
  ]);
  service = await cli([
    ...['clients', 'create', '--name', 'service', '--grant', 'client_credentials'],
    ...['--resource', API, '--scope', 'notes:read'],
  ]);
});
test.after.always(async () => {
  await database?.drop();
});

/** A running `portcullis serve` child process. */
interface Served {
  child: ChildProcess;
  issuer: string;
  port: number;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** Starts `portcullis serve --json` on `port` and waits until it listens. */
async function serve(port: number, env: Record<string, string> = {}): Promise<Served> {
  const issuer = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [bin, 'serve', '--json'], {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      DATABASE_URL: database.url,
      PORTCULLIS_HOST: '127.0.0.1',
      PORTCULLIS_PORT: String(port),
      PORTCULLIS_ISSUER: issuer,
      PORTCULLIS_JANITOR_INTERVAL: 'off',
      ...secrets,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  const listening = new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes('\n')) resolve();
    });
    void exited.then((code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
  });
  await listening;
  const said = JSON.parse(stdout.split('\n')[0] as string) as { port: number };
  if (said.port !== port) throw new Error(`serve listens on ${said.port}, not ${port}`);
  return { child, issuer, port, stderr: () => stderr, exited };
}

/**
 * A token request held in flight: its headers are sent and the server has started on it
 * (`Expect: 100-continue` makes it say so), but its body is sent only by `finish()`.
 */
async function heldTokenRequest(port: number, credentials: Credentials) {
  const body = new URLSearchParams({
    grant_type: 'client_credentials',
    resource: API,
    scope: 'notes:read',
  }).toString();
  const user = `${credentials.client_id}:${credentials.client_secret}`;
  const request = http.request({
    host: '127.0.0.1',
    port,
    path: '/token',
    method: 'POST',
    agent: false,
    headers: {
      authorization: `Basic ${Buffer.from(user).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
      'content-length': Buffer.byteLength(body),
      expect: '100-continue',
    },
  });
  const answered = new Promise<{ status: number; connection?: string; body: string }>(
    (resolve, reject) => {
      request.on('response', (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => {
          text += chunk.toString();
        });
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            connection: response.headers.connection,
            body: text,
          }),
        );
      });
      request.on('error', reject);
    },
  );
  answered.catch(() => {});
  request.flushHeaders();
  await once(request, 'continue');
  return { answered, finish: () => request.end(body) };
}

/** Resolves once connecting to `port` is refused; rejects if it is still accepting after the bound. */
async function refused(port: number): Promise<boolean> {
  for (const end = Date.now() + BOUND_MS; Date.now() < end; ) {
    const outcome = await new Promise<string>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve('connected');
      });
      socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
    });
    if (outcome === 'ECONNREFUSED') return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return false;
}

/** An authorization request with PKCE, and what redeeming its code will take. */
async function authorizationUrl(config: client.Configuration, extra: Record<string, string> = {}) {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT,
    scope: 'openid offline_access notes:read',
    resource: API,
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    ...extra,
  });
  return { verifier, state, url };
}

const discover = (issuer: string, credentials: Credentials) => discoverClient(issuer, credentials);

test('SIGTERM: the request in flight is answered, new connections are refused, exit 0; after a restart the sign-in, session and grant from before all work', async (t) => {
  const port = await freePort();
  const first = await serve(port);
  t.teardown(() => first.child.kill('SIGKILL'));

  // Before: a grant with a refresh token (signed in with browser `signedIn`), and a second
  // sign-in left on the login page.
  let config = await discover(first.issuer, app);
  const signedIn = new HttpBrowser(first.issuer);
  const flow = await authorizationUrl(config, { prompt: 'consent' });
  let step = await signedIn.follow(flow.url.href);
  const page = await step.response.text();
  step = await signedIn.follow(new URL(formAction(page) as string, step.url).href, {
    form: { csrf: inputValue(page, 'csrf') as string, username: 'alice', password: PASSWORD },
  });
  const tokens = await client.authorizationCodeGrant(config, new URL(step.left as string), {
    pkceCodeVerifier: flow.verifier,
    expectedState: flow.state,
  });
  const midway = new HttpBrowser(first.issuer);
  const pending = await authorizationUrl(config, { prompt: 'consent' });
  const loginStep = await midway.follow(pending.url.href);
  const loginPage = await loginStep.response.text();
  t.regex(loginPage, /name="password"/, 'left on the login page');

  // SIGTERM with a request in flight.
  const held = await heldTokenRequest(port, service);
  first.child.kill('SIGTERM');
  t.true(await refused(port), 'new connections are refused while stopping');
  t.is(first.child.exitCode, null, 'still running: a request is in flight');
  held.finish();
  const answer = await held.answered;
  t.is(answer.status, 200, 'the request in flight got its answer');
  t.truthy((JSON.parse(answer.body) as { access_token?: string }).access_token);
  t.is(answer.connection, 'close');
  t.is(await first.exited, 0, 'exit 0');
  t.regex(first.stderr(), /received SIGTERM, stopping/);
  t.notRegex(first.stderr(), /while stopping|"level":"error"/);

  // Restart: everything from before is still there.
  const second = await serve(port);
  t.teardown(() => second.child.kill('SIGKILL'));
  config = await discover(second.issuer, app);

  const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token as string);
  t.truthy(refreshed.access_token, 'the grant from before refreshes');

  const resumed = await midway.follow(
    new URL(formAction(loginPage) as string, loginStep.url).href,
    {
      form: {
        csrf: inputValue(loginPage, 'csrf') as string,
        username: 'alice',
        password: PASSWORD,
      },
    },
  );
  t.truthy(resumed.left, 'the sign-in begun before the restart finishes after it');
  const resumedTokens = await client.authorizationCodeGrant(
    config,
    new URL(resumed.left as string),
    {
      pkceCodeVerifier: pending.verifier,
      expectedState: pending.state,
    },
  );
  t.truthy(resumedTokens.refresh_token);

  const silent = await authorizationUrl(config, { prompt: 'none' });
  step = await signedIn.follow(silent.url.href);
  t.truthy(step.left, 'the browser session from before still signs alice in');
  const callback = new URL(step.left as string);
  t.is(callback.searchParams.get('error'), null);
  const again = await client.authorizationCodeGrant(config, callback, {
    pkceCodeVerifier: silent.verifier,
    expectedState: silent.state,
  });
  t.is(again.claims()?.sub, tokens.claims()?.sub);

  second.child.kill('SIGTERM');
  t.is(await second.exited, 0);
});

test('a request that outlives PORTCULLIS_SHUTDOWN_GRACE is cut, and the process still exits 0', async (t) => {
  const port = await freePort();
  const served = await serve(port, { PORTCULLIS_SHUTDOWN_GRACE: '1s' });
  t.teardown(() => served.child.kill('SIGKILL'));
  const held = await heldTokenRequest(port, service);
  const signalled = Date.now();
  served.child.kill('SIGTERM');
  t.is(await served.exited, 0);
  t.true(Date.now() - signalled < BOUND_MS, 'bounded by the grace period');
  await t.throwsAsync(held.answered, undefined, 'the request never finished, so it was cut');
  t.regex(served.stderr(), /shutdown grace period over: requests cut/);
});

test('PORTCULLIS_SHUTDOWN_GRACE: 10s unless set, a duration up to 10m; anything else is refused by name', async (t) => {
  const config = (grace?: string) =>
    loadServerConfig(
      { ...secrets, ...(grace === undefined ? {} : { PORTCULLIS_SHUTDOWN_GRACE: grace }) },
      { mode: 'development' },
    ).shutdownGraceSeconds;
  t.is(config(), 10);
  t.is(config('0s'), 0);
  t.is(config('30'), 30);
  t.is(config('2m'), 120);
  for (const bad of ['11m', '-1s', '1.5s', 'soon']) {
    t.throws(() => config(bad), { message: /^PORTCULLIS_SHUTDOWN_GRACE must be a duration/ });
  }

  // Through the real binary: one line, exit 1, before anything starts.
  const child = spawn(process.execPath, [bin, 'serve'], {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      DATABASE_URL: database.url,
      PORTCULLIS_SHUTDOWN_GRACE: 'soon',
      ...secrets,
    },
  });
  child.stdout.resume();
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const [code] = await once(child, 'exit');
  t.is(code, 1);
  t.is(
    stderr,
    'portcullis: PORTCULLIS_SHUTDOWN_GRACE must be a duration from 0s to 10m (like 10s), got "soon"\n',
  );
});
