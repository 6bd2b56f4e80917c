import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, cp, lstat, mkdtemp, readdir, readFile, readlink, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import pg from 'pg';
import { binariesFor, findPostgresBinaries } from '../src/embedded/postgres-binaries.ts';
import { firstClosedFolder, postgresUser } from '../src/embedded/postgres-user.ts';
import { removeEmbeddedPostgres, startEmbeddedPostgres } from '../src/index.ts';
import { createEmbeddedDataDir } from '../src/testing/index.ts';

async function query(url: string, sql: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

test('starts a real PostgreSQL in a data folder, which a second caller joins', async (t) => {
  const { dir, remove } = await createEmbeddedDataDir('embedded-test');
  t.teardown(remove);
  const first = await startEmbeddedPostgres(dir);
  t.teardown(() => first.stop());
  t.true(first.startedHere);
  const [row] = await query(first.url, 'select current_database() as db, version() as v');
  t.is(row.db, 'portcullis');
  t.regex(row.v, /^PostgreSQL 1[7-9]/);

  const second = await startEmbeddedPostgres(dir);
  t.false(second.startedHere, 'joins the running server instead of starting another');
  t.is(second.url, first.url);
  // The password file is private to its owner.
  t.is((await stat(path.join(dir, 'embedded-postgres.json'))).mode & 0o077, 0);

  await first.stop();
  await t.throwsAsync(query(first.url, 'select 1'));
  const third = await startEmbeddedPostgres(dir);
  t.teardown(() => third.stop());
  t.true(third.startedHere, 'restarts from the same folder');
  const [again] = await query(third.url, 'select 1 as one');
  t.is(again.one, 1);
});

const isRoot = process.getuid?.() === 0;

/** A folder like a root's home (mode 0700) in the system temp folder, removed after the test. */
async function privateHome(t: ExecutionContext, prefix: string): Promise<string> {
  const home = await mkdtemp(path.join(os.tmpdir(), prefix));
  await chmod(home, 0o700);
  t.teardown(() => rm(home, { recursive: true, force: true }));
  return home;
}

test('a data folder in a private home: as root the cluster lives in the system folder, linked, and the home stays closed', async (t) => {
  const home = await privateHome(t, 'portcullis-home-');
  const systemDir = await mkdtemp(path.join(os.tmpdir(), 'portcullis-system-'));
  t.teardown(() => rm(systemDir, { recursive: true, force: true }));
  const dataDir = path.join(home, 'checkout', '.portcullis');
  const lines: string[] = [];

  const first = await startEmbeddedPostgres(dataDir, { systemDir, log: (l) => lines.push(l) });
  t.teardown(() => first.stop());
  await query(first.url, 'create table kept (id int)');
  if (!isRoot) {
    // Not root: the server runs as ourselves, in the data folder, as it always did.
    t.is(first.location, path.join(dataDir, 'pg'));
    t.false((await lstat(path.join(dataDir, 'pg'))).isSymbolicLink());
    return;
  }
  const location = first.location ?? '';
  t.true(location.startsWith(path.join(systemDir, 'clusters') + path.sep), location);
  t.is(await readlink(path.join(dataDir, 'pg')), location, 'found again through the link');
  t.is((await stat(home)).mode & 0o777, 0o700, 'the home was not opened');
  t.is((await stat(dataDir)).mode & 0o077, 0, 'the data folder holding the password stays private');
  const cluster = await stat(location);
  t.is(cluster.mode & 0o777, 0o700);
  t.is(cluster.uid, Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })));
  t.is((await stat(systemDir)).mode & 0o777, 0o711, 'the system folder can be entered, not listed');
  t.regex(
    await readFile(path.join(path.dirname(location), 'data-folder'), 'utf8'),
    new RegExp(`^${dataDir}\\n`),
  );
  t.deepEqual(lines.length, 1);
  t.true(lines[0]?.includes(location));

  await first.stop();
  const second = await startEmbeddedPostgres(dataDir, { systemDir });
  t.teardown(() => second.stop());
  t.is(second.location, location, 'the same cluster on the next run');
  t.deepEqual(await query(second.url, 'select count(*)::int as n from kept'), [{ n: 0 }]);
  await t.throwsAsync(removeEmbeddedPostgres(dataDir), { message: /is running/ });
  await second.stop();

  t.deepEqual(await removeEmbeddedPostgres(dataDir), [path.dirname(location), dataDir]);
  t.false(existsSync(path.dirname(location)));
  t.false(existsSync(dataDir));
  t.deepEqual(await removeEmbeddedPostgres(dataDir), [], 'removing twice is harmless');
});

test('binaries the postgres user cannot reach are copied to the system folder once, even by concurrent starts', async (t) => {
  const user = await postgresUser();
  if (!user) {
    t.is(
      await binariesFor(await findPostgresBinaries(), user, '/nonexistent'),
      await findPostgresBinaries(),
    );
    return;
  }
  const installed = await findPostgresBinaries();
  const home = await privateHome(t, 'portcullis-binaries-');
  const systemDir = await mkdtemp(path.join(os.tmpdir(), 'portcullis-system-'));
  t.teardown(() => rm(systemDir, { recursive: true, force: true }));
  const hidden = path.join(home, 'native');
  await cp(installed.root, hidden, { recursive: true, verbatimSymlinks: true });
  const unreachable = {
    ...installed,
    root: hidden,
    initdb: path.join(hidden, 'bin', 'initdb'),
    postgres: path.join(hidden, 'bin', 'postgres'),
  };

  const [one, two] = await Promise.all([
    binariesFor(unreachable, user, systemDir),
    binariesFor(unreachable, user, systemDir),
  ]);
  t.is(one.root, path.join(systemDir, `postgresql-${installed.release}`));
  t.deepEqual(two, one);
  t.deepEqual(await readdir(systemDir), [path.basename(one.root)], 'no half-copied folder left');
  // The postgres user runs the copy (and PostgreSQL finds its libraries beside it).
  const version = execFileSync(one.postgres, ['--version'], { ...user, encoding: 'utf8' });
  t.regex(version, /PostgreSQL\) 1[7-9]/);
  // The installed binaries themselves: used as they are where the postgres user reaches them;
  // from a checkout in a private home (as on the fresh-machine check), copied like the hidden ones.
  const fromInstalled = await binariesFor(installed, user, systemDir);
  if ((await firstClosedFolder(installed.postgres, user)) === undefined) {
    t.is(fromInstalled, installed, 'reachable binaries are used as they are');
  } else {
    t.deepEqual(fromInstalled, one, 'unreachable installed binaries share the one copy');
  }
});
