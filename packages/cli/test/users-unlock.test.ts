import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import { cliWith, failsWithOneLine, showsHelpWithExample } from './helpers.ts';

// Lifting a real lockout, counted by a running server, is tested end to end in
// packages/e2e/test/limits-sign-in.test.ts; here, the command's own input and output.
let database: TestDatabase;
let emptyDataDir: string;
const env = { PORTCULLIS_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64url') };
test.before(async () => {
  database = await createTestDatabase();
  emptyDataDir = await mkdtemp(path.join(tmpdir(), 'portcullis-unlock-'));
});
test.after.always(async () => {
  await database?.drop();
  await rm(emptyDataDir, { recursive: true, force: true });
});

test('a name with nothing counted: exit 0, says so, records the unlock without the name', async (t) => {
  const human = await cliWith(database, ['users', 'unlock', 'nobody-at-all'], { env });
  t.is(human.code, 0, human.stderr);
  t.is(
    human.stdout,
    'no failed sign-ins are counted for "nobody-at-all" (no user has this name): nothing to unlock\n',
  );
  const json = await cliWith(database, ['users', 'unlock', 'nobody-at-all', '--json'], { env });
  t.deepEqual(JSON.parse(json.stdout), {
    username: 'nobody-at-all',
    user_id: null,
    failures_cleared: 0,
  });
  const events = await database.db('audit_events').where({ type: 'user.unlocked' });
  t.is(events.length, 2);
  t.false(JSON.stringify(events).includes('nobody-at-all'), 'a name that is no user is not stored');
});

test('without the key-encryption key: one line naming the variable, exit 1', async (t) => {
  failsWithOneLine(
    t,
    await cliWith(database, ['users', 'unlock', 'alice'], {
      env: { PORTCULLIS_DATA_DIR: emptyDataDir },
    }),
    /PORTCULLIS_KEY_ENCRYPTION_KEY.*usernames are counted under a key derived from it/,
  );
  failsWithOneLine(
    t,
    await cliWith(database, ['users', 'unlock', 'alice'], {
      env: { PORTCULLIS_KEY_ENCRYPTION_KEY: 'short' },
    }),
    /PORTCULLIS_KEY_ENCRYPTION_KEY/,
  );
});

test('usage errors: no username, an empty one, an unknown option; exit 2', async (t) => {
  failsWithOneLine(
    t,
    await cliWith(database, ['users', 'unlock'], { env }),
    /missing required argument 'username'/,
    2,
  );
  failsWithOneLine(
    t,
    await cliWith(database, ['users', 'unlock', ' '], { env }),
    /must not be empty/,
    2,
  );
  failsWithOneLine(
    t,
    await cliWith(database, ['users', 'unlock', 'alice', '--all'], { env }),
    /unknown option '--all'/,
    2,
  );
});

test('--help has an example', async (t) => {
  await showsHelpWithExample(t, database, ['users', 'unlock']);
});
