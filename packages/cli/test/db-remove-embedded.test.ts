import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startEmbeddedPostgres } from '@portcullis/storage';
import test, { type ExecutionContext } from 'ava';
import { type CliResult, cliWith, failsWithOneLine, showsHelpWithExample } from './helpers.ts';

const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src/bin.ts');
const execFileAsync = promisify(execFile);
const isRoot = process.getuid?.() === 0;
const noDatabase = { url: '' };

/** A data folder inside a mode-0700 folder of the system temp folder, removed after the test. */
async function privateDataDir(t: ExecutionContext): Promise<string> {
  const home = await mkdtemp(path.join(os.tmpdir(), 'portcullis-remove-'));
  await chmod(home, 0o700);
  t.teardown(() => rm(home, { recursive: true, force: true }));
  return path.join(home, 'checkout', '.portcullis');
}

const removeEmbedded = (dataDir: string, args: string[]) =>
  cliWith(noDatabase, ['db', 'remove-embedded', ...args], {
    env: { DATABASE_URL: '', PORTCULLIS_DATA_DIR: dataDir },
  });

test('db remove-embedded --help shows an example', async (t) => {
  await showsHelpWithExample(t, noDatabase, ['db', 'remove-embedded']);
});

test('db remove-embedded deletes the cluster wherever it lives and the data folder; refuses while it runs', async (t) => {
  const dataDir = await privateDataDir(t);
  const running = await startEmbeddedPostgres(dataDir);
  t.teardown(() => running.stop());
  const location = running.location ?? '';
  // As root this cluster lives under /var/lib/portcullis: remove it even if the test fails.
  t.teardown(() => rm(path.dirname(location), { recursive: true, force: true }));

  failsWithOneLine(
    t,
    await removeEmbedded(dataDir, ['--yes']),
    /is running: stop `portcullis dev`/,
  );
  t.true(existsSync(path.join(location, 'PG_VERSION')), 'nothing removed while it runs');
  await running.stop();

  failsWithOneLine(
    t,
    await removeEmbedded(dataDir, []),
    /^portcullis: refusing to delete .* without confirmation: stdin is not a terminal, pass --yes\n$/,
    2,
  );
  t.true(existsSync(path.join(location, 'PG_VERSION')), 'nothing removed without confirmation');

  const removed = await removeEmbedded(dataDir, ['--yes', '--json']);
  t.is(removed.code, 0, removed.stderr);
  const report = JSON.parse(removed.stdout) as { data_dir: string; removed: string[] };
  t.is(report.data_dir, dataDir);
  t.deepEqual(report.removed, isRoot ? [path.dirname(location), dataDir] : [dataDir]);
  t.false(existsSync(location));
  t.false(existsSync(dataDir));

  const again = await removeEmbedded(dataDir, ['--yes']);
  t.is(again.code, 0, again.stderr);
  t.is(again.stdout, `nothing to remove: ${dataDir} does not exist\n`);
});

test('db remove-embedded refuses a folder that is not a data folder, and leaves it whole', async (t) => {
  const notOurs = path.dirname(await privateDataDir(t));
  await mkdir(notOurs, { recursive: true });
  await writeFile(path.join(notOurs, 'precious.txt'), 'keep me');
  failsWithOneLine(
    t,
    await removeEmbedded(notOurs, ['--yes']),
    /^portcullis: .* holds no pg, embedded-postgres\.json, dev-secrets\.json: it is not a Portcullis data folder, nothing removed\n$/,
  );
  t.true(existsSync(path.join(notOurs, 'precious.txt')));
});

/**
 * Runs `portcullis db status` on the embedded PostgreSQL with its data folder on a fresh tmpfs
 * mounted with `options`, in a mount namespace of its own (so the mount vanishes with it).
 */
async function onTmpfs(t: ExecutionContext, options: string): Promise<CliResult & { dir: string }> {
  const mountPoint = await mkdtemp(path.join(os.tmpdir(), 'portcullis-tmpfs-'));
  t.teardown(() => rm(mountPoint, { recursive: true, force: true }));
  const dir = path.join(mountPoint, 'data');
  const script = 'mount -t tmpfs -o "$1" portcullis-test "$2" && shift 2 && exec "$@"';
  const args = ['-m', 'sh', '-c', script, 'sh', options, mountPoint, process.execPath, bin];
  const env = { PATH: process.env.PATH, PORTCULLIS_DATA_DIR: dir };
  const { code, stdout, stderr } = await execFileAsync('unshare', [...args, 'db', 'status'], {
    env,
  }).then(
    (done) => ({ ...done, code: 0 }),
    (failed: { code: number; stdout: string; stderr: string }) => failed,
  );
  return { code, stdout, stderr, dir };
}

// Mounting needs root; as another user the same code paths are reached only by a real full disk.
const asRoot = isRoot ? test : test.skip;

asRoot('a data folder on a read-only file system: one line naming it, exit 1', async (t) => {
  const result = await onTmpfs(t, 'ro,size=1m');
  failsWithOneLine(
    t,
    result,
    new RegExp(
      `^portcullis: cannot write ${result.dir} for the embedded PostgreSQL: read-only file system\\n$`,
    ),
  );
});

asRoot(
  'a data folder on a full file system: one line naming it and the reason, exit 1',
  async (t) => {
    const result = await onTmpfs(t, 'size=2m');
    t.is(result.code, 1);
    t.is(result.stdout, '');
    // The first run's notice, then the failure in one line, with PostgreSQL's own reason.
    const file = /"(pg_wal\/[^"]+)"/.exec(result.stderr)?.[1];
    t.deepEqual(result.stderr.trim().split('\n'), [
      `initialising the embedded PostgreSQL in ${result.dir}/pg`,
      `portcullis: the embedded PostgreSQL in ${result.dir}/pg did not start: initdb failed: FATAL:  could not write to file "${file}": No space left on device`,
    ]);
  },
);
