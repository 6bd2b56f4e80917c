import { createFactorsRepository, createPasskeysRepository } from '@portcullis/storage';
import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import { failsWithOneLine, showsHelpWithExample } from './helpers.ts';
import { type UsersCli, usersCli } from './users-fixtures.ts';

// `users mfa show|reset`: a user's second factors without their secrets, and removing them all
// (audited, asked first); the refusals in one line.

let database: TestDatabase;
let users: UsersCli;
test.before(async () => {
  database = await createTestDatabase();
  users = usersCli(database);
});
test.after.always(async () => {
  await database?.drop();
});

interface Shown {
  user_id: string;
  username: string;
  factors: { id: string; kind: string; label: string; enrolled_at: string | null }[];
  recovery_codes_left: number;
}

// A confirmed authenticator app and ten recovery codes, stored as the account page stores them
// (the seed's envelope is never read by these commands). Returns the stored secret.
async function enrol(username: string): Promise<string> {
  const user = await users.runJson<{ id: string }>(['users', 'show', username]);
  const factors = createFactorsRepository(database.db);
  const id = `factor-of-${username}`;
  const secret = `v1.sealed-seed-of-${username}`;
  await factors.startEnrolment({
    id,
    userId: user.id,
    kind: 'totp',
    label: 'Authenticator app',
    secret,
  });
  await factors.useStep(id, 1, { confirm: true });
  await factors.replaceRecoveryCodes(
    user.id,
    Array.from({ length: 10 }, (_, i) => `digest-${i}`),
  );
  return secret;
}

test.serial('show lists the factor and the recovery codes left, never the seed', async (t) => {
  await users.createUser('erin');
  const none = await users.runJson<Shown>(['users', 'mfa', 'show', 'erin']);
  t.deepEqual(none.factors, []);
  t.is(none.recovery_codes_left, 0);
  t.regex(
    (await users.run(['users', 'mfa', 'show', 'erin'])).stdout,
    /none \(signs in with the password alone\)/,
  );

  const seed = await enrol('erin');
  const shown = await users.runJson<Shown>(['users', 'mfa', 'show', 'ERIN']);
  t.is(shown.username, 'erin');
  t.like(shown.factors[0], { kind: 'totp', label: 'Authenticator app' });
  t.truthy(shown.factors[0]?.enrolled_at);
  t.is(shown.recovery_codes_left, 10);
  const human = await users.run(['users', 'mfa', 'show', 'erin']);
  t.regex(human.stdout, /Second factor: +totp "Authenticator app", enrolled \d{4}-\d\d-\d\d/);
  t.regex(human.stdout, /Recovery codes left: 10/);
  t.false(human.stdout.includes(seed));
  t.false(JSON.stringify(shown).includes(seed));
});

test.serial('reset asks first: refused without --yes when stdin is no terminal', async (t) => {
  await users.createUser('fred');
  await enrol('fred');
  failsWithOneLine(
    t,
    await users.run(['users', 'mfa', 'reset', 'fred']),
    /refusing to reset without confirmation: stdin is not a terminal, pass --yes/,
    2,
  );
  t.is((await users.runJson<Shown>(['users', 'mfa', 'show', 'fred'])).factors.length, 1);
  failsWithOneLine(t, await users.run(['users', 'mfa', 'reset', 'nobody', '--yes']), /no user/);
  failsWithOneLine(t, await users.run(['users', 'mfa', 'show', 'nobody']), /no user/);
  failsWithOneLine(
    t,
    await users.run(['users', 'mfa', 'show']),
    /missing required argument 'user'/,
    2,
  );
});

test.serial('reset --yes removes every factor and code, audited as mfa.reset', async (t) => {
  const gina = await users.createUser('gina');
  await enrol('gina');
  const reset = await users.runJson(['users', 'mfa', 'reset', 'gina', '--yes']);
  t.deepEqual(reset, { user_id: gina.id, username: 'gina', factors_removed: 1, sessions_ended: 0 });
  const shown = await users.runJson<Shown>(['users', 'mfa', 'show', 'gina']);
  t.deepEqual([shown.factors, shown.recovery_codes_left], [[], 0]);
  const [event] = await database.db('audit_events').where({ type: 'mfa.reset', subject: gina.id });
  t.regex(event?.actor ?? '', /^cli:/);
  t.like(event?.details, { username: 'gina', factors_removed: 1 });
  const again = await users.run(['users', 'mfa', 'reset', 'gina', '--yes']);
  t.regex(again.stdout, /removed 0 second factors and the recovery codes of "gina"/);
});

test.serial('--help has an example', async (t) => {
  await showsHelpWithExample(t, database, ['users', 'mfa', 'show']);
  await showsHelpWithExample(t, database, ['users', 'mfa', 'reset']);
});

test.serial('passkeys are listed with the other factors, and reset removes them too', async (t) => {
  const hana = await users.createUser('hana');
  await enrol('hana');
  await createPasskeysRepository(database.db).add({
    id: 'passkey-of-hana',
    userId: hana.id,
    name: 'Work laptop',
    credentialId: 'credential-of-hana',
    publicKey: 'public-key-of-hana',
    signCount: 0,
    transports: ['internal'],
    aaguid: '00000000-0000-0000-0000-000000000000',
    backupEligible: false,
    backedUp: false,
  });
  const shown = await users.runJson<Shown>(['users', 'mfa', 'show', 'hana']);
  t.deepEqual(
    shown.factors.map((f) => [f.kind, f.label]),
    [
      ['totp', 'Authenticator app'],
      ['passkey', 'Work laptop'],
    ],
  );
  t.regex(
    (await users.run(['users', 'mfa', 'show', 'hana'])).stdout,
    /Second factor: {7}passkey "Work laptop", enrolled \d{4}-\d\d-\d\d [\d:]{8}, last used -/,
  );
  const reset = await users.runJson(['users', 'mfa', 'reset', 'hana', '--yes']);
  t.like(reset, { factors_removed: 2 });
  t.deepEqual(await createPasskeysRepository(database.db).listForUser(hana.id), []);
});
