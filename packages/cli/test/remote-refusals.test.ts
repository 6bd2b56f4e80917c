import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import test from 'ava';
import { cliWith, failsWithOneLine } from './helpers.ts';
import { NO_DATABASE } from './remote-fixtures.ts';

// The commands that cannot run through the admin API refuse --server (and PORTCULLIS_SERVER) in
// one line, before they do anything here: no server is needed to see it.

const SERVER = 'http://localhost:1';

const CASES: string[][] = [
  ['db', 'status'],
  ['db', 'migrate'],
  ['db', 'remove-embedded', '--yes'],
  ['dev'],
  ['serve'],
  ['example-api'],
  ['secrets', 'generate'],
  ['admin', 'create-client', 'ci'],
  ['idps', 'list'],
  ['roles', 'list'],
  ['clients', 'registration-token', 'list'],
  ['tokens', 'purge', '--dry-run'],
];

for (const args of CASES) {
  test(`${args.join(' ')} refuses --server in one line`, async (t) => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'portcullis-remote-'));
    t.teardown(() => rm(dataDir, { recursive: true, force: true }));
    await writeFile(path.join(dataDir, 'kept'), '');
    const env = { PORTCULLIS_DATA_DIR: dataDir, PORTCULLIS_ADMIN_TOKEN: 'unused' };
    const words = args.filter((a) => !a.startsWith('-')).slice(0, 2);
    const message = (source: string) =>
      new RegExp(`^portcullis: ${words.join(' ')}.* is not available with ${source}: .+\\n$`);
    failsWithOneLine(
      t,
      await cliWith(NO_DATABASE, ['--server', SERVER, ...args], { env }),
      message('--server'),
      2,
    );
    // Set by the variable alone, the line names the variable, the one to unset.
    const viaEnv = await cliWith(NO_DATABASE, args, { env: { ...env, PORTCULLIS_SERVER: SERVER } });
    failsWithOneLine(t, viaEnv, message('PORTCULLIS_SERVER'), 2);
    t.deepEqual(await readdir(dataDir), ['kept'], 'nothing done here');
  });
}

test('a group help still shows under --server', async (t) => {
  const help = await cliWith(NO_DATABASE, ['--server', SERVER, 'db', '--help']);
  t.is(help.code, 0, help.stderr);
  t.regex(help.stdout, /migrate/);
});
