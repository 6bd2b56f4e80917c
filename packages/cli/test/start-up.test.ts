import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../..');
const bin = path.join(here, '../src/bin.ts');

function run(command: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const child = spawn(command, args, {
    cwd: root,
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.once('exit', (code) => resolve({ code, stdout, stderr })),
  );
}

/** The packages `portcullis ...args` loads, from the fixture's last line on stderr. */
async function packagesLoaded(args: string[], env: NodeJS.ProcessEnv = {}) {
  const result = await run(
    process.execPath,
    ['--import', path.join(here, 'fixtures/report-packages.ts'), bin, ...args],
    env,
  );
  const line = result.stderr.split('\n').find((l) => l.startsWith('packages: ')) ?? '';
  return { ...result, packages: line.slice('packages: '.length).split(' ') };
}

// What only the servers, the doctor and token issuance need.
const SERVER = [
  'oidc-provider',
  'koa',
  '@koa/router',
  'pino',
  'prom-client',
  '@portcullis/example-api',
];
// What only some commands on the database need: password hashing, mail, key generation.
const SOME_COMMANDS = ['@node-rs/argon2', 'nodemailer', 'jose'];
// PostgreSQL's client and the query builder: only for commands on the database.
const DATABASE = ['knex', 'pg', '@portcullis/storage'];

test('--help, a usage error and secrets generate load neither the server nor the database', async (t) => {
  for (const args of [['--help'], ['clients', 'list', '--jsn'], ['secrets', 'generate']]) {
    const { code, packages } = await packagesLoaded(args);
    t.not(code, null, args.join(' '));
    for (const heavy of [...SERVER, ...DATABASE, ...SOME_COMMANDS, 'yaml']) {
      t.false(packages.includes(heavy), `${args.join(' ')} loaded ${heavy}`);
    }
    t.true(packages.includes('commander'));
  }
});

test('a command on the database loads its client, never the server nor what it does not run', async (t) => {
  // Nothing listens on port 1: the command fails, after loading what it needs.
  const { code, packages, stderr } = await packagesLoaded(['clients', 'list'], {
    DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none',
  });
  t.is(code, 1, stderr);
  t.true(packages.includes('knex'));
  for (const heavy of [...SERVER, ...SOME_COMMANDS]) {
    t.false(packages.includes(heavy), `clients list loaded ${heavy}`);
  }
});

test('the primary of serve --workers loads neither the server nor Koa: only what it runs', async (t) => {
  // Nothing listens on port 1: the primary fails at its database check, before any worker
  // starts, after loading its log, its metrics server and storage.
  const { code, packages, stderr } = await packagesLoaded(['serve', '--workers', '2'], {
    DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none',
    PORTCULLIS_ISSUER: 'http://127.0.0.1:1',
    PORTCULLIS_COOKIE_KEYS: 'k'.repeat(43),
    PORTCULLIS_KEY_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64url'),
  });
  t.is(code, 1, stderr);
  t.regex(stderr, /cannot reach the database/);
  t.true(packages.includes('pino'));
  t.true(packages.includes('knex'));
  for (const heavy of ['oidc-provider', 'koa', '@koa/router', '@portcullis/example-api']) {
    t.false(packages.includes(heavy), `the primary loaded ${heavy}`);
  }
});

test('node_modules/.bin/portcullis runs the CLI directly: only its output, its exit code', async (t) => {
  const help = await run(path.join(root, 'node_modules/.bin/portcullis'), ['--help']);
  t.is(help.code, 0, help.stderr);
  t.regex(help.stdout, /^Usage: portcullis /);
  t.is(help.stderr, '');
  const typo = await run(path.join(root, 'node_modules/.bin/portcullis'), ['clients', 'lst']);
  t.is(typo.code, 2);
  t.is(typo.stdout, '');
  t.is(typo.stderr, "error: unknown command 'lst' (did you mean list?)\n");
});
