import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import pg from 'pg';
import { startEmbeddedPostgres } from '../src/index.ts';

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
  // Under the repository rather than the system temp folder, whose private subfolders the
  // postgres system user (used when tests run as root) cannot enter.
  await mkdir('.portcullis', { recursive: true });
  const dir = await mkdtemp(path.resolve('.portcullis', 'embedded-test-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
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
