import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { chmod, chown, mkdir, mkdtemp, readlink, rm, stat } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EMBEDDED_SYSTEM_DIR } from '@portcullis/storage';
import { createEmbeddedDataDir, createTestDatabase, freePort } from '@portcullis/storage/testing';
import test from 'ava';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const bin = path.join(root, 'packages/cli/src/bin.ts');

/** Starts `portcullis dev`, resolving once it printed its "try it" text. */
function startDev(
  env: NodeJS.ProcessEnv,
  user?: { uid: number; gid: number },
): Promise<{ child: ChildProcess; stdout: () => string; stderr: () => string }> {
  const child = spawn(process.execPath, [bin, 'dev'], {
    cwd: root,
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...user,
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
  const { dir: dataDir, remove } = await createEmbeddedDataDir('dev-embedded');
  t.teardown(remove);
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

  // Its port in use: it stops the database it started and exits 1 by itself, naming the port.
  const blocker = net.createServer();
  await new Promise<void>((resolve) =>
    blocker.listen(Number(env.PORTCULLIS_PORT), '127.0.0.1', resolve),
  );
  t.teardown(() => blocker.close());
  const busy = spawn(process.execPath, [bin, 'dev'], {
    cwd: root,
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  t.teardown(() => busy.kill('SIGKILL'));
  let stderr = '';
  busy.stderr?.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  t.is(await exitOf(busy), 1, stderr);
  t.regex(
    stderr,
    new RegExp(
      `\\nportcullis: port ${env.PORTCULLIS_PORT} is already in use .*, or set PORTCULLIS_PORT to another port\\n$`,
    ),
  );
  t.false(existsSync(path.join(dataDir, 'pg', 'postmaster.pid')), 'the embedded server stopped');
});

const isRoot = process.getuid?.() === 0;

test('dev from a data folder in a mode-0700 home: runs, says where the database lives, keeps it, and db remove-embedded deletes it', async (t) => {
  const home = await mkdtemp(path.join(os.tmpdir(), 'portcullis-home-'));
  await chmod(home, 0o700);
  t.teardown(() => rm(home, { recursive: true, force: true }));
  const dataDir = path.join(home, 'portcullis', '.portcullis');
  const env = {
    PORTCULLIS_DATA_DIR: dataDir,
    PORTCULLIS_PORT: String(await freePort()),
    PORTCULLIS_API_PORT: String(await freePort()),
  };
  const first = await startDev(env);
  t.teardown(() => first.child.kill('SIGKILL'));
  const location = /^Database: the embedded PostgreSQL in (\S+), kept between runs/m.exec(
    first.stdout(),
  )?.[1];
  t.truthy(location, first.stdout());
  // Whatever happens below, the cluster does not outlive the test.
  t.teardown(() => rm(path.dirname(location ?? home), { recursive: true, force: true }));
  if (isRoot) {
    t.is(path.dirname(path.dirname(path.dirname(location ?? ''))), EMBEDDED_SYSTEM_DIR);
    t.is<string | undefined, string | undefined>(
      await readlink(path.join(dataDir, 'pg')),
      location,
    );
  } else {
    t.is(location, path.join(dataDir, 'pg'));
  }
  t.is((await stat(home)).mode & 0o777, 0o700, 'the home was not opened');
  t.is((await fetch(`http://127.0.0.1:${env.PORTCULLIS_PORT}/readyz`)).status, 200);
  t.is((await fetch(`http://127.0.0.1:${env.PORTCULLIS_API_PORT}/healthz`)).status, 200);
  const exited = exitOf(first.child);
  first.child.kill('SIGINT');
  t.is(await exited, 0, first.stderr());
  t.false(existsSync(path.join(location ?? '', 'postmaster.pid')), 'the database stopped too');

  const second = await startDev(env);
  t.teardown(() => second.child.kill('SIGKILL'));
  t.false(second.stderr().includes('initialising'), 'the same cluster, found again');
  t.is((await fetch(`http://127.0.0.1:${env.PORTCULLIS_PORT}/readyz`)).status, 200);
  const again = exitOf(second.child);
  second.child.kill('SIGINT');
  t.is(await again, 0);

  const removed = spawnSync(process.execPath, [bin, 'db', 'remove-embedded', '--yes'], {
    env: { PATH: process.env.PATH, ...env },
    encoding: 'utf8',
  });
  t.is(removed.status, 0, removed.stderr);
  t.false(existsSync(location ?? ''));
  t.false(existsSync(dataDir));
});

// As root, the same again as an ordinary user (`nobody`), where that user can reach this checkout.
const nobody = isRoot ? accountOf('nobody') : undefined;
const asNobody = nobody && !closedOnTheWay(bin, nobody) ? test : test.skip;

asNobody(
  'dev as an ordinary user keeps the database in its own data folder, as before',
  async (t) => {
    const user = nobody ?? { uid: 0, gid: 0 };
    const home = await mkdtemp(path.join(os.tmpdir(), 'portcullis-user-'));
    await chown(home, user.uid, user.gid);
    t.teardown(() => rm(home, { recursive: true, force: true }));
    const dataDir = path.join(home, '.portcullis');
    const env = {
      PORTCULLIS_DATA_DIR: dataDir,
      PORTCULLIS_PORT: String(await freePort()),
      PORTCULLIS_API_PORT: String(await freePort()),
      HOME: home,
    };
    const dev = await startDev(env, user);
    t.teardown(() => dev.child.kill('SIGKILL'));
    t.regex(dev.stdout(), new RegExp(`^Database: the embedded PostgreSQL in ${dataDir}/pg,`, 'm'));
    const cluster = await stat(path.join(dataDir, 'pg'));
    t.true(cluster.isDirectory());
    t.is(cluster.uid, user.uid, 'the server runs as the user itself');
    t.is((await fetch(`http://127.0.0.1:${env.PORTCULLIS_PORT}/readyz`)).status, 200);
    const exited = exitOf(dev.child);
    dev.child.kill('SIGINT');
    t.is(await exited, 0, dev.stderr());
  },
);

function accountOf(name: string): { uid: number; gid: number } | undefined {
  const id = (flag: string) => spawnSync('id', [flag, name], { encoding: 'utf8' });
  const [uid, gid] = [id('-u'), id('-g')];
  return uid.status === 0 && gid.status === 0
    ? { uid: Number(uid.stdout), gid: Number(gid.stdout) }
    : undefined;
}

// True when a folder on the way to `file` (or to the Node.js binary) is closed to `user`.
function closedOnTheWay(file: string, user: { uid: number; gid: number }): boolean {
  return [file, process.execPath].some((target) => {
    for (let dir = path.dirname(target); ; dir = path.dirname(dir)) {
      const { mode, uid, gid } = statSync(dir);
      const bit = uid === user.uid ? 0o100 : gid === user.gid ? 0o010 : 0o001;
      if ((mode & bit) === 0) return true;
      if (dir === path.dirname(dir)) return false;
    }
  });
}
