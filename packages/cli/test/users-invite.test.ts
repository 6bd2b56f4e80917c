import { createTestDatabase, freePort, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import { cli, cliWith, failsWithOneLine, showsHelpWithExample } from './helpers.ts';

// An invitation mailed through a real SMTP server and followed to a signed-in user is tested end
// to end in packages/e2e/test/signup.test.ts; here, the command's refusals, each one line and
// nothing stored.
let database: TestDatabase;
let closedSmtp: string;
test.before(async () => {
  database = await createTestDatabase();
  // A port nothing listens on: the SMTP server is down.
  closedSmtp = `smtp://127.0.0.1:${await freePort()}`;
});
test.after.always(async () => {
  await database?.drop();
});

const invite = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  cliWith(database, ['users', 'invite', ...args], {
    env: { PORTCULLIS_SIGNUP: 'invite', PORTCULLIS_SMTP_URL: closedSmtp, ...env },
  });

const nothingStored = async (t: { is(a: unknown, b: unknown): void }) => {
  t.is((await database.db('signup_links').count({ n: '*' }).first())?.n, '0');
  t.is((await database.db('audit_events').where({ type: 'user.invited' })).length, 0);
};

test('help shows an example', async (t) => {
  const help = await showsHelpWithExample(t, database, ['users', 'invite']);
  t.regex(help, /--expires/);
});

test('refused in one line when sign-up is off (the default) or mail is off', async (t) => {
  failsWithOneLine(
    t,
    await invite(['carol@example.test'], { PORTCULLIS_SIGNUP: '' }),
    /^portcullis: sign-up is off: set PORTCULLIS_SIGNUP=invite/,
    2,
  );
  failsWithOneLine(
    t,
    await invite(['carol@example.test'], { PORTCULLIS_SIGNUP: 'maybe' }),
    /PORTCULLIS_SIGNUP must be off, invite or open, got "maybe"/,
  );
  failsWithOneLine(
    t,
    await invite(['carol@example.test'], { PORTCULLIS_SMTP_URL: '' }),
    /mail is off: set PORTCULLIS_SMTP_URL/,
    2,
  );
  await nothingStored(t);
});

test('a bad address, a bad --expires, or an address a user has: one line, nothing stored', async (t) => {
  failsWithOneLine(t, await invite(['not an address']), /"not an address" is not a valid email/);
  failsWithOneLine(
    t,
    await invite(['carol@example.test', '--expires', '90d']),
    /--expires must be a duration from 1h to 30d/,
  );
  failsWithOneLine(
    t,
    await invite(['carol@example.test', '--expires', 'soon']),
    /--expires must be a duration .* got "soon"/,
  );
  const created = await cli(
    database,
    ['users', 'create', '--username', 'dora', '--password-stdin', '--email', 'dora@example.test'],
    'a-long-enough-password\n',
  );
  t.is(created.code, 0, created.stderr);
  failsWithOneLine(
    t,
    await invite(['DORA@example.test']),
    /DORA@example\.test is the address of user "dora" already/,
  );
  await nothingStored(t);
});

test('an SMTP server that does not answer: one line, no invitation stored', async (t) => {
  const result = await invite(['carol@example.test']);
  failsWithOneLine(t, result, /could not send the invitation \(nothing stored\)/);
  await nothingStored(t);
});
