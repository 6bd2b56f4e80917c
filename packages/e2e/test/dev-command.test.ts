import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, freePort } from '@portcullis/storage/testing';
import test from 'ava';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const bin = path.join(root, 'packages/cli/src/bin.ts');

/** Starts `portcullis dev`, resolving once it printed its "try it" text. */
function startDev(
  env: NodeJS.ProcessEnv,
): Promise<{ child: ChildProcess; stdout: () => string; stderr: () => string }> {
  const child = spawn(process.execPath, [bin, 'dev'], {
    cwd: root,
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr?.on('data', (c: Buffer) => {
    err += c.toString();
  });
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('Press Ctrl-C')) resolve({ child, stdout: () => out, stderr: () => err });
    });
    child.once('exit', (code) => reject(new Error(`dev exited with ${code}: ${err}`)));
  });
}

function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

test('dev on a DATABASE_URL: migrates, seeds, serves both apps, prints how to try, stops on SIGINT', async (t) => {
  const database = await createTestDatabase({ migrate: false });
  t.teardown(() => database.drop());
  const [asPort, apiPort] = [await freePort(), await freePort()];
  const dataDir = await mkdtemp(path.join(root, '.portcullis', 'dev-test-')).catch(async () => {
    await mkdir(path.join(root, '.portcullis'), { recursive: true });
    return mkdtemp(path.join(root, '.portcullis', 'dev-test-'));
  });
  t.teardown(() => rm(dataDir, { recursive: true, force: true }));
  const { child, stdout } = await startDev({
    DATABASE_URL: database.url,
    PORTCULLIS_DATA_DIR: dataDir,
    PORTCULLIS_PORT: String(asPort),
    PORTCULLIS_API_PORT: String(apiPort),
  });
  t.teardown(() => child.kill('SIGKILL'));

  t.regex(stdout(), new RegExp(`clients create .*--resource http://localhost:${apiPort}`));
  t.regex(stdout(), new RegExp(`http://localhost:${asPort}/token`));
  t.is((await fetch(`http://127.0.0.1:${asPort}/healthz`)).status, 200);
  t.is((await fetch(`http://127.0.0.1:${asPort}/readyz`)).status, 200);
  t.is((await fetch(`http://127.0.0.1:${apiPort}/healthz`)).status, 200);
  const resources = await database.db('resources').pluck('identifier');
  t.deepEqual(resources, [`http://localhost:${apiPort}`]);
  const scopes = await database.db('resource_scopes').orderBy('name').pluck('name');
  t.deepEqual(scopes, ['notes:read', 'notes:write']);

  const exited = exitOf(child);
  child.kill('SIGINT');
  t.is(await exited, 0);
  await t.throwsAsync(fetch(`http://127.0.0.1:${asPort}/healthz`));
});

test('dev with the embedded PostgreSQL stops the database too on SIGTERM, and keeps its data', async (t) => {
  await mkdir(path.join(root, '.portcullis'), { recursive: true });
  const dataDir = await mkdtemp(path.join(root, '.portcullis', 'dev-embedded-'));
  t.teardown(() => rm(dataDir, { recursive: true, force: true }));
  const env = {
    PORTCULLIS_DATA_DIR: dataDir,
    PORTCULLIS_PORT: String(await freePort()),
    PORTCULLIS_API_PORT: String(await freePort()),
  };
  const first = await startDev(env);
  t.teardown(() => first.child.kill('SIGKILL'));
  t.true(existsSync(path.join(dataDir, 'pg', 'postmaster.pid')), 'the embedded server runs');
  t.true(existsSync(path.join(dataDir, 'dev-secrets.json')), 'development secrets were generated');
  const exited = exitOf(first.child);
  first.child.kill('SIGTERM');
  t.is(await exited, 0, first.stderr());
  t.false(existsSync(path.join(dataDir, 'pg', 'postmaster.pid')), 'the embedded server stopped');

  // A second start reuses the data: the seed is not repeated and the keys still decrypt.
  const second = await startDev(env);
  t.teardown(() => second.child.kill('SIGKILL'));
  t.is((await fetch(`http://127.0.0.1:${env.PORTCULLIS_PORT}/readyz`)).status, 200);
  const again = exitOf(second.child);
  second.child.kill('SIGINT');
  t.is(await again, 0);
});
