// The runnable examples (examples/web-app, examples/service) run as their READMEs say: each a
// process of its own, configured by environment variables, against a stack whose clients are
// registered with the CLI. The web app is driven through chromium (PORTCULLIS_BROWSER, which
// `pnpm test` provides for this file as for browser.test.ts).
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, freePort, type TestDatabase } from '@portcullis/storage/testing';
import test, { type ExecutionContext } from 'ava';
import { type Browser, chromium, type Page } from 'playwright-core';
import { browserForTests, CHROMIUM_ARGS, type Stack, startStack } from '../src/index.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const WEB_APP = path.join(root, 'examples/web-app/app.mjs');
const SERVICE = path.join(root, 'examples/service/service.mjs');
const PASSWORD = 'a-long-password';

type Client = { client_id: string; client_secret: string };

let database: TestDatabase;
let stack: Stack;
let browser: Browser;

test.before(async () => {
  database = await createTestDatabase();
  stack = await startStack(database.db, database.url);
  await stack.cli(
    [
      'users',
      'create',
      '--username',
      'alice',
      '--name',
      'Alice Liddell',
      '--email',
      'alice@example.com',
      '--password-stdin',
    ],
    `${PASSWORD}\n`,
  );
  browser = await chromium.launch({
    executablePath: browserForTests(process.env),
    args: CHROMIUM_ARGS,
  });
});

test.after.always(async () => {
  await browser?.close();
  await stack?.stop();
  await database?.drop();
});

/** An example as a child process: what it printed, its exit, and a way to stop it. */
function run(t: ExecutionContext, file: string, env: Record<string, string>) {
  const child: ChildProcess = spawn(process.execPath, [file], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    return exited.then(() => undefined);
  });
  return {
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    /** Resolves once stdout has `text`; fails when the process exits first. */
    printed: (text: string) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (stdout.includes(text)) resolve();
        };
        child.stdout?.on('data', check);
        check();
        void exited.then((code) =>
          reject(new Error(`${path.basename(file)} exited with ${code}: ${stderr}`)),
        );
      }),
  };
}

/**
 * Waits for the page the app shows after a form (303 to `/`) with its one-time message: the
 * address stays the same, so the message tells the new page from the old.
 */
const message = (page: Page, text: string | RegExp) =>
  page.getByRole('status').filter({ hasText: text }).waitFor();
const notes = (page: Page) => page.locator('#notes li').allTextContents();

test('web app: signs in with PKCE, shows the user, lists and adds notes, refreshes, signs out', async (t) => {
  const port = await freePort();
  const appUrl = `http://localhost:${port}`;
  // The README's command, with this stack's addresses.
  const app = await stack.cli<Client>([
    'clients',
    'create',
    '--name',
    'Notes Viewer',
    '--grant',
    'authorization_code',
    'refresh_token',
    '--redirect-uri',
    `${appUrl}/callback`,
    '--resource',
    stack.api,
    '--scope',
    'openid profile email offline_access notes:read notes:write',
  ]);
  const webApp = run(t, WEB_APP, {
    ISSUER: stack.issuer,
    API_URL: stack.api,
    CLIENT_ID: app.client_id,
    CLIENT_SECRET: app.client_secret,
    PORT: String(port),
  });
  await webApp.printed(`Notes Viewer: open ${appUrl}`);

  const context = await browser.newContext();
  t.teardown(() => context.close());
  const elsewhere: string[] = [];
  await context.route(
    (url) => url.hostname !== '127.0.0.1' && url.hostname !== 'localhost',
    (route) => {
      elsewhere.push(route.request().url());
      return route.abort();
    },
  );
  const page = await context.newPage();

  // Signed out: a link to sign in, which leads to the authorization server's login page.
  await page.goto(appUrl);
  // The first request to the authorization server is the authorization request.
  const authorizationRequest = page.waitForRequest((r) => r.url().startsWith(`${stack.issuer}/`));
  await page.getByRole('link', { name: 'Sign in' }).click();
  const authorize = new URL((await authorizationRequest).url());
  await page.getByLabel('Username', { exact: true }).fill('alice');
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  // Third-party: the consent page, then back to the app.
  await page.getByRole('heading', { name: 'Notes Viewer wants to access your account' }).waitFor();
  await page.getByRole('button', { name: 'Allow' }).click();
  await page.waitForURL((url) => url.href === `${appUrl}/`);
  await message(page, 'Signed in.');
  t.is(await page.locator('#user').textContent(), 'Alice Liddell');
  const main = (await page.locator('main').textContent()) ?? '';
  t.regex(main, /alice@example\.com/, 'the ID token claims are shown');
  t.regex(main, /notes:read notes:write/, 'the scopes granted for the API');
  t.false(main.includes('The API answered'), main);

  // A note, through the API with the access token.
  await page.getByLabel('New note').fill('hello from the browser');
  await page.getByRole('button', { name: 'Add note' }).click();
  await message(page, 'Note added.');
  t.true((await notes(page)).includes('hello from the browser'));

  // Two refreshes in a row: the second presents the refresh token the first returned. Had the
  // app kept the spent one, the server would refuse it and the app would have signed out.
  for (const refreshes of ['1', '2']) {
    await page.getByRole('button', { name: 'Refresh tokens' }).click();
    await page.locator('#refreshes', { hasText: refreshes }).waitFor();
    t.regex((await page.getByRole('status').textContent()) ?? '', /^Tokens refreshed/);
  }
  await page.getByLabel('New note').fill('after two refreshes');
  await page.getByRole('button', { name: 'Add note' }).click();
  await message(page, 'Note added.');
  t.true((await notes(page)).includes('after two refreshes'), 'the newest access token works');

  // A form without the session's CSRF token, with the session cookie: refused, nothing added.
  const forgeries: Record<string, string>[] = [
    { text: 'forged' },
    { text: 'forged', csrf: 'not-the-token' },
  ];
  for (const form of forgeries) {
    const forged = await page.request.post(`${appUrl}/notes`, { form, maxRedirects: 0 });
    t.is(forged.status(), 403);
  }
  await page.reload();
  t.false((await notes(page)).includes('forged'));

  // Sign-out: the app's session ends, the grant is revoked, and the server's session ends after
  // the user confirms (RP-initiated logout).
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL((url) => url.origin === stack.issuer);
  await page.getByRole('button', { name: 'Yes, sign me out' }).click();
  await page.getByText('You are signed out.').waitFor();
  const grants = await stack.cli<{ client_id: string }[]>(['grants', 'list', '--user', 'alice']);
  t.false(
    grants.some((grant) => grant.client_id === app.client_id),
    'revoking the refresh token ended the grant',
  );
  await page.goto(appUrl);
  await page.getByRole('link', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.origin === stack.issuer);
  await page.getByLabel('Password', { exact: true }).waitFor();
  t.pass('signing in again asks for the password');

  // What the app asked for: PKCE S256, state, the API as resource, a refresh token.
  t.is(authorize.searchParams.get('code_challenge_method'), 'S256');
  t.truthy(authorize.searchParams.get('code_challenge'));
  t.truthy(authorize.searchParams.get('state'));
  t.is(authorize.searchParams.get('resource'), stack.api);
  t.is(authorize.searchParams.get('redirect_uri'), `${appUrl}/callback`);
  t.deepEqual(elsewhere, [], 'nothing loaded from anywhere else');
});

/** A first-party service client for `resource`, as the service's README registers it. */
function serviceClient(name: string, resource: string) {
  return stack.cli<Client>([
    'clients',
    'create',
    '--name',
    name,
    '--grant',
    'client_credentials',
    '--resource',
    resource,
    '--scope',
    'notes:read notes:write',
    '--first-party',
  ]);
}

test('service: one access token for all its calls, and the API answers each', async (t) => {
  const service = await serviceClient('reporting', stack.api);
  const running = run(t, SERVICE, {
    ISSUER: stack.issuer,
    API_URL: stack.api,
    CLIENT_ID: service.client_id,
    CLIENT_SECRET: service.client_secret,
    ROUNDS: '3',
    INTERVAL_SECONDS: '0',
  });
  t.is(await running.exited, 0, running.stderr());
  const lines = running.stdout().trim().split('\n');
  t.is(lines.filter((line) => line.startsWith('token: ')).length, 1, running.stdout());
  t.regex(
    lines[0] ?? '',
    /^token: got a new access token \(none yet\): scope "notes:read notes:write"/,
  );
  const me = lines.filter((line) => line.startsWith('GET /me -> 200 '));
  t.is(me.length, 3);
  t.like(JSON.parse((me[0] ?? '').slice('GET /me -> 200 '.length)), {
    sub: service.client_id,
    client_id: service.client_id,
    scope: 'notes:read notes:write',
  });
  t.true(
    lines.some((line) => /^POST \/notes -> 201 .*"text":"report 3 from the service"/.test(line)),
  );
  t.is(lines.filter((line) => /^GET \/notes -> 200 \(\d+ notes?\)$/.test(line)).length, 3);
  t.is(lines.at(-1), 'done: 9 API calls with 1 access token');
});

/**
 * A stand-in for the notes API that refuses tokens as told, registered as a resource so the
 * service gets real tokens for it.
 */
async function refusingApi(
  t: ExecutionContext,
  refuse: (token: string, seen: string[]) => boolean,
) {
  const seen: string[] = [];
  const server: Server = createServer((request, response) => {
    const token = (request.headers.authorization ?? '').replace(/^Bearer /, '');
    const refused = refuse(token, seen);
    seen.push(token);
    if (refused) {
      response
        .writeHead(401, {
          'content-type': 'application/json',
          'www-authenticate': 'Bearer error="invalid_token"',
        })
        .end('{"error":"invalid_token"}');
      return;
    }
    const body = request.url === '/notes' && request.method === 'GET' ? '[]' : '{"ok":true}';
    response.writeHead(200, { 'content-type': 'application/json' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  await stack.cli([
    'resources',
    'create',
    '--identifier',
    url,
    '--name',
    `Refusing API ${url}`,
    '--scope',
    'notes:read=Read your notes',
    '--scope',
    'notes:write=Create and delete your notes',
  ]);
  return { url, seen };
}

test('service: a 401 gets one new token and one retry, and a second 401 stops it', async (t) => {
  // Refuses the first token it sees, whatever it is: as an API that lost the key it was signed with.
  const once = await refusingApi(t, (token, seen) => token === (seen[0] ?? token));
  const onceClient = await serviceClient('reporting-refused-once', once.url);
  const recovered = run(t, SERVICE, {
    ISSUER: stack.issuer,
    API_URL: once.url,
    CLIENT_ID: onceClient.client_id,
    CLIENT_SECRET: onceClient.client_secret,
    ROUNDS: '1',
    INTERVAL_SECONDS: '0',
  });
  t.is(await recovered.exited, 0, recovered.stderr());
  t.is(once.seen.length, 4, 'the refused call, its retry, and the two other calls');
  t.is(new Set(once.seen).size, 2);
  t.true(
    once.seen.slice(1).every((token) => token === once.seen[1]),
    'the new token is re-used',
  );
  t.regex(recovered.stdout(), /^GET \/me -> 401 .*getting a new token, trying once more$/m);
  t.regex(recovered.stdout(), /^token: got a new access token \(the API refused the last one\)/m);
  t.regex(recovered.stdout(), /^GET \/me -> 200 /m);
  t.regex(recovered.stdout(), /done: 4 API calls with 2 access tokens\n$/);

  // Refuses every token: one retry, then the service stops with the API's answer.
  const never = await refusingApi(t, () => true);
  const neverClient = await serviceClient('reporting-refused-always', never.url);
  const stopped = run(t, SERVICE, {
    ISSUER: stack.issuer,
    API_URL: never.url,
    CLIENT_ID: neverClient.client_id,
    CLIENT_SECRET: neverClient.client_secret,
    ROUNDS: '1',
    INTERVAL_SECONDS: '0',
  });
  t.is(await stopped.exited, 1);
  t.is(never.seen.length, 2, 'the call and one retry with a new token');
  t.not(never.seen[0], never.seen[1]);
  t.regex(stopped.stderr(), /stopped: GET \/me: the API refused a new token too \(401 /);
  t.regex(stopped.stdout(), /done: 2 API calls with 2 access tokens\n$/);
});
