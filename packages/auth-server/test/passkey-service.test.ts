import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import { Secret, TOTP } from 'otpauth';
import type { AuthServerError } from '../src/errors.ts';
import { createMfaService } from '../src/services/mfa-service.ts';
import { createPasskeyService, passkeyUsed } from '../src/services/passkey-service.ts';
import { createUserFactorsService } from '../src/services/user-factors-service.ts';
import { createUsersService } from '../src/services/users-service.ts';
import { SoftwarePasskey } from './software-authenticator.ts';

// The passkey service on a real PostgreSQL, answered by a software authenticator that signs
// real assertions (test/software-authenticator.ts).
let database: TestDatabase;
test.before(async () => {
  database = await createTestDatabase();
});
test.after.always(async () => {
  await database?.drop();
});

const ISSUER = 'http://localhost:3000';
let clock: number | undefined;
const service = () =>
  createPasskeyService({
    db: database.db,
    issuer: ISSUER,
    rpName: 'Portcullis',
    ...(clock === undefined ? {} : { now: () => clock as number }),
  });
const errorCode = (error: unknown) => (error as AuthServerError | undefined)?.code;
const events = async (type: string, subject: string) =>
  database.db('audit_events').where({ type, subject }).orderBy('id');

let users = 0;
async function newUser() {
  users += 1;
  return createUsersService(database.db).create({
    username: `passkey-user-${users}`,
    password: 'correct horse battery staple',
  });
}

/** A user with one passkey registered from the browser bound as `binding`. */
async function withPasskey(options: { userVerified?: boolean; counts?: boolean } = {}) {
  const user = await newUser();
  const key = new SoftwarePasskey(ISSUER, options);
  const binding = `browser-${user.id}`;
  const created = key.create(await service().registrationOptions(user, binding));
  const passkey = await service().register(user, binding, { name: 'Laptop', posted: created });
  return { user, key, passkey };
}

test.serial(
  'registration: a discoverable credential under a random user handle, public data only',
  async (t) => {
    const user = await newUser();
    const options = await service().registrationOptions(user, 'browser-a');
    t.is(options.rp.id, 'localhost');
    t.is(options.authenticatorSelection?.residentKey, 'required');
    t.not(options.user.id, Buffer.from(user.id).toString('base64url'));
    t.is(Buffer.from(options.user.id, 'base64url').length, 32);
    // The same handle every time (an authenticator keeps one per user and site).
    t.is((await service().registrationOptions(user, 'browser-a')).user.id, options.user.id);

    const key = new SoftwarePasskey(ISSUER);
    const posted = key.create(await service().registrationOptions(user, 'browser-a'));
    const added = await service().register(user, 'browser-a', { name: ' Laptop ', posted });
    t.is(added.name, 'Laptop');
    const [row] = await database.db('user_factors').where({ user_id: user.id });
    t.is(row.kind, 'passkey');
    t.is(row.secret, '');
    t.is(row.credential_id, key.id);
    t.is(Number(row.sign_count), 1);
    t.deepEqual(row.transports, ['internal']);
    t.is(row.aaguid, '00000000-0000-0000-0000-000000000000');
    t.not(row.confirmed_at, null);
    t.deepEqual(
      (await service().list(user.id)).map((p) => p.name),
      ['Laptop'],
    );
    const mfa = createMfaService({
      db: database.db,
      keyEncryptionKey: Buffer.alloc(32),
      issuer: 'x',
    });
    t.true(await mfa.hasFactor(user.id), 'a passkey is a second factor');
    const [event] = await events('passkey.added', user.id);
    t.is(event.details.name, 'Laptop');
    // The challenge was taken: the same answer again is refused, and nothing is added.
    const again = await t.throwsAsync(
      service().register(user, 'browser-a', { name: 'Again', posted }),
    );
    t.is(errorCode(again), 'invalid_input');
    t.is((await service().list(user.id)).length, 1);
  },
);

test.serial(
  'recovery codes: ten with the first passkey, none while some are left, usable, gone with the last factor',
  async (t) => {
    const mfa = createMfaService({
      db: database.db,
      keyEncryptionKey: Buffer.alloc(32),
      issuer: 'x',
    });
    const { user, passkey } = await withPasskey();
    const codes = passkey.recoveryCodes ?? [];
    t.is(codes.length, 10);
    t.is(new Set(codes).size, 10);
    for (const code of codes) t.regex(code, /^[a-z2-7]{4}(-[a-z2-7]{4}){3}$/);
    t.is((await mfa.status(user.id)).recoveryCodesLeft, 10);
    // Stored only as digests.
    const stored = await database.db('user_recovery_codes').where({ user_id: user.id });
    t.is(stored.length, 10);
    t.false(JSON.stringify(stored).includes(codes[0]?.replace(/-/g, '') ?? 'none'));
    const [added] = await events('passkey.added', user.id);
    t.is(added.details.recovery_codes_issued, 10);
    t.false(JSON.stringify(added.details).includes(codes[0] ?? 'none'));

    // A second passkey while codes are left: none issued, the old ones kept.
    const other = new SoftwarePasskey(ISSUER);
    const third = other.create(await service().registrationOptions(user, 'browser-r'));
    const phone = await service().register(user, 'browser-r', { name: 'Phone', posted: third });
    t.is(phone.recoveryCodes, undefined);
    t.is((await events('passkey.added', user.id))[1]?.details.recovery_codes_issued, undefined);

    // The second factor of a passkey-only user: each code once, in any case, with or without dashes.
    t.true(await mfa.useRecoveryCode(user, (codes[0] ?? '').toUpperCase()));
    t.false(await mfa.useRecoveryCode(user, codes[0] ?? ''));
    t.true(await mfa.useRecoveryCode(user, (codes[1] ?? '').replace(/-/g, '')));
    t.is((await mfa.status(user.id)).recoveryCodesLeft, 8);
    for (const code of codes.slice(2)) t.true(await mfa.useRecoveryCode(user, code));
    // Every code used: the next passkey comes with ten new ones.
    const fourth = new SoftwarePasskey(ISSUER);
    const tablet = await service().register(user, 'browser-r', {
      name: 'Tablet',
      posted: fourth.create(await service().registrationOptions(user, 'browser-r')),
    });
    t.is(tablet.recoveryCodes?.length, 10);
    t.false(await mfa.useRecoveryCode(user, codes[9] ?? ''));

    // The last factor removed: the recovery codes go with it.
    await service().remove(user, passkey.id);
    await service().remove(user, phone.id);
    t.is((await mfa.status(user.id)).recoveryCodesLeft, 10);
    await service().remove(user, tablet.id);
    t.is((await mfa.status(user.id)).recoveryCodesLeft, 0);
    t.false(await mfa.useRecoveryCode(user, tablet.recoveryCodes?.[0] ?? ''));
  },
);

test.serial('an app’s user adding a passkey keeps their recovery codes', async (t) => {
  const user = await newUser();
  const mfa = createMfaService({
    db: database.db,
    keyEncryptionKey: Buffer.alloc(32),
    issuer: 'x',
  });
  const enrolment = await mfa.pendingTotp(user);
  const totp = new TOTP({ secret: Secret.fromBase32(enrolment.secret) });
  const codes = await mfa.confirmTotp(user, totp.generate());
  t.is(codes?.length, 10);
  const key = new SoftwarePasskey(ISSUER);
  const added = await service().register(user, 'browser-t', {
    name: 'Laptop',
    posted: key.create(await service().registrationOptions(user, 'browser-t')),
  });
  t.is(added.recoveryCodes, undefined);
  t.true(await mfa.useRecoveryCode(user, codes?.[0] ?? ''));
});

test.serial('registration refused: another browser, a bad name, a bad answer', async (t) => {
  const user = await newUser();
  const other = await newUser();
  const key = new SoftwarePasskey(ISSUER);
  const posted = key.create(await service().registrationOptions(user, 'browser-b'));
  for (const [binding, name, body, who] of [
    ['browser-c', 'Phone', posted, user],
    ['browser-b', 'Phone', posted, other],
    ['browser-b', '', posted, user],
    ['browser-b', 'x'.repeat(61), posted, user],
    ['browser-b', 'Phone', '{"id":1}', user],
    ['browser-b', 'Phone', 'not json', user],
    ['browser-b', 'Phone', 'x'.repeat(20_000), user],
  ] as const) {
    const error = await t.throwsAsync(service().register(who, binding, { name, posted: body }));
    t.is(errorCode(error), 'invalid_input', `${binding} ${name.slice(0, 5)} ${body.slice(0, 8)}`);
  }
  t.is((await database.db('user_factors').whereIn('user_id', [user.id, other.id])).length, 0);
  // Created for another site: refused.
  const elsewhere = new SoftwarePasskey('https://evil.example');
  const forged = elsewhere.create(await service().registrationOptions(user, 'browser-b'));
  t.is(
    errorCode(
      await t.throwsAsync(service().register(user, 'browser-b', { name: 'X', posted: forged })),
    ),
    'invalid_input',
  );
});

test.serial('second factor: the user’s own passkey, once per challenge', async (t) => {
  const { user, key, passkey } = await withPasskey({ userVerified: false });
  const options = await service().authenticationOptions('interaction-1', 'second_factor', user.id);
  t.deepEqual(
    options.allowCredentials?.map((c) => c.id),
    [key.id],
  );
  const posted = key.get(options);
  const used = await service().authenticate('interaction-1', 'second_factor', posted);
  t.true(passkeyUsed(used));
  t.like(used, { userId: user.id, passkeyId: passkey.id, userVerified: false });
  const [row] = await database.db('user_factors').where({ id: passkey.id });
  t.is(Number(row.sign_count), 2);
  t.not(row.last_used_at, null);
  t.is((await events('passkey.used', user.id)).length, 1);
  // The same answer again: the challenge is gone.
  t.like(await service().authenticate('interaction-1', 'second_factor', posted), {
    refused: 'challenge',
  });
  // Another user's challenge, answered with this passkey: refused.
  const other = await newUser();
  const theirs = await service().authenticationOptions('interaction-2', 'second_factor', other.id);
  t.like(await service().authenticate('interaction-2', 'second_factor', key.get(theirs)), {
    refused: 'wrong_user',
  });
  // A challenge of another interaction, or for another purpose: refused.
  const mine = await service().authenticationOptions('interaction-3', 'second_factor', user.id);
  t.like(await service().authenticate('interaction-4', 'second_factor', key.get(mine)), {
    refused: 'challenge',
  });
  const stale = await service().authenticationOptions('interaction-5', 'second_factor', user.id);
  t.like(await service().authenticate('interaction-5', 'passwordless', key.get(stale)), {
    refused: 'challenge',
  });
});

test.serial('passwordless: the user handle names the user, who must be verified', async (t) => {
  const { user, key } = await withPasskey();
  const options = await service().authenticationOptions('interaction-p', 'passwordless');
  t.deepEqual(options.allowCredentials, []);
  t.is(options.userVerification, 'required');
  t.like(await service().authenticate('interaction-p', 'passwordless', key.get(options)), {
    userId: user.id,
    userVerified: true,
  });

  const unverified = await withPasskey({ userVerified: false });
  const asked = await service().authenticationOptions('interaction-q', 'passwordless');
  t.like(await service().authenticate('interaction-q', 'passwordless', unverified.key.get(asked)), {
    refused: 'not_verified',
    userId: unverified.user.id,
  });
  // Signed on another origin (a phishing page relaying our challenge): refused.
  const relayed = await service().authenticationOptions('interaction-r', 'passwordless');
  t.like(
    await service().authenticate(
      'interaction-r',
      'passwordless',
      key.get(relayed, { origin: 'https://evil.example' }),
    ),
    { refused: 'not_verified' },
  );
  // Another user's handle in the answer: refused.
  const swapped = await service().authenticationOptions('interaction-s', 'passwordless');
  key.userHandle = unverified.key.userHandle;
  t.like(await service().authenticate('interaction-s', 'passwordless', key.get(swapped)), {
    refused: 'wrong_user',
  });
  // An unknown credential.
  const stranger = new SoftwarePasskey(ISSUER);
  const unknown = await service().authenticationOptions('interaction-t', 'passwordless');
  t.like(await service().authenticate('interaction-t', 'passwordless', stranger.get(unknown)), {
    refused: 'unknown',
  });
  t.is(await service().ownerOf(stranger.get(unknown)), undefined);
  t.is(await service().ownerOf(key.get(unknown)), user.id);
});

test.serial(
  'a counter that does not grow is refused and audited; both zero is allowed',
  async (t) => {
    const { user, key, passkey } = await withPasskey();
    await database.db('user_factors').where({ id: passkey.id }).update({ sign_count: 100 });
    const options = await service().authenticationOptions(
      'interaction-c',
      'second_factor',
      user.id,
    );
    t.like(await service().authenticate('interaction-c', 'second_factor', key.get(options)), {
      refused: 'counter',
    });
    const [event] = await events('passkey.counter_regressed', user.id);
    t.like(event.details, { factor_id: passkey.id, stored_count: 100, presented_count: 2 });
    t.is(
      Number((await database.db('user_factors').where({ id: passkey.id }).first()).sign_count),
      100,
    );

    // An authenticator that keeps no counter (always zero) signs in every time.
    const still = await withPasskey({ counts: false });
    for (const uid of ['interaction-z1', 'interaction-z2']) {
      const asked = await service().authenticationOptions(uid, 'second_factor', still.user.id);
      t.true(passkeyUsed(await service().authenticate(uid, 'second_factor', still.key.get(asked))));
    }
  },
);

test.serial('a page shown again keeps its challenge until it is answered', async (t) => {
  const { user, key } = await withPasskey();
  const first = await service().authenticationOptions('interaction-k', 'second_factor', user.id);
  const again = await service().authenticationOptions('interaction-k', 'second_factor', user.id);
  t.is(again.challenge, first.challenge);
  // Another user at the same step of the same interaction: a challenge of their own.
  const other = await newUser();
  const theirs = await service().authenticationOptions('interaction-k', 'second_factor', other.id);
  t.not(theirs.challenge, first.challenge);
  const mine = await service().authenticationOptions('interaction-k', 'second_factor', user.id);
  t.true(
    passkeyUsed(await service().authenticate('interaction-k', 'second_factor', key.get(mine))),
  );
  const next = await service().authenticationOptions('interaction-k', 'second_factor', user.id);
  t.not(next.challenge, mine.challenge);
});

test.serial(
  'a registration page shown again keeps its challenge until it is answered',
  async (t) => {
    const user = await newUser();
    const first = await service().registrationOptions(user, 'interaction-r');
    const again = await service().registrationOptions(user, 'interaction-r');
    t.deepEqual(again, first, 'the same options, byte for byte');
    const other = await newUser();
    t.not((await service().registrationOptions(other, 'interaction-r')).challenge, first.challenge);
    const mine = await service().registrationOptions(user, 'interaction-r');
    const key = new SoftwarePasskey(ISSUER);
    await service().register(user, 'interaction-r', { name: 'Phone', posted: key.create(mine) });
    const next = await service().registrationOptions(user, 'interaction-r');
    t.not(next.challenge, mine.challenge);
    t.deepEqual(
      next.excludeCredentials?.map((c) => c.id),
      [key.id],
    );
  },
);

test.serial('a challenge expires after five minutes', async (t) => {
  const { user, key } = await withPasskey();
  clock = Date.now() - 301_000;
  const options = await service().authenticationOptions('interaction-e', 'second_factor', user.id);
  clock = undefined;
  t.like(await service().authenticate('interaction-e', 'second_factor', key.get(options)), {
    refused: 'challenge',
  });
});

test.serial(
  'renaming: trimmed, audited with both names, bad names and others’ passkeys refused',
  async (t) => {
    const { user, passkey } = await withPasskey();
    const renamed = await service().rename(user, passkey.id, '  Work laptop ', {
      actor: `user:${user.id}`,
    });
    t.is(renamed.name, 'Work laptop');
    t.deepEqual(
      (await service().list(user.id)).map((p) => p.name),
      ['Work laptop'],
    );
    const [event] = await events('passkey.renamed', user.id);
    t.is(event.actor, `user:${user.id}`);
    t.deepEqual(event.details, {
      username: user.username,
      factor_id: passkey.id,
      name: 'Work laptop',
      previous_name: 'Laptop',
    });
    // The same name again changes nothing and records nothing.
    await service().rename(user, passkey.id, 'Work laptop');
    t.is((await events('passkey.renamed', user.id)).length, 1);
    for (const bad of [' ', '', 'x'.repeat(61), 'two\nlines', 'tab\there', 'bell\u0007']) {
      const error = await t.throwsAsync(service().rename(user, passkey.id, bad));
      t.is(errorCode(error), 'invalid_input', JSON.stringify(bad));
    }
    t.is((await service().rename(user, passkey.id, 'é'.repeat(60))).name, 'é'.repeat(60));
    const other = await newUser();
    t.is(errorCode(await t.throwsAsync(service().rename(other, passkey.id, 'Mine'))), 'not_found');
    t.is(errorCode(await t.throwsAsync(service().rename(user, 'no-such-id', 'X'))), 'not_found');
    t.is((await service().list(user.id))[0]?.name, 'é'.repeat(60));
    t.is((await events('passkey.renamed', user.id)).length, 2);
  },
);

test.serial('removal and the operator’s reset take passkeys too', async (t) => {
  const { user, key, passkey } = await withPasskey();
  await service().rename(user, passkey.id, 'Work laptop');
  const other = await newUser();
  t.is(errorCode(await t.throwsAsync(service().remove(other, passkey.id))), 'not_found');
  await service().remove(user, passkey.id, { actor: `user:${user.id}` });
  t.like((await events('passkey.removed', user.id))[0]?.details, { name: 'Work laptop' });
  const options = await service().authenticationOptions('interaction-x', 'second_factor', user.id);
  t.like(await service().authenticate('interaction-x', 'second_factor', key.get(options)), {
    refused: 'unknown',
  });

  const kept = await withPasskey();
  const shown = await createUserFactorsService(database.db).show(kept.user.username);
  t.deepEqual(
    shown.factors.map((f) => [f.kind, f.label]),
    [['passkey', 'Laptop']],
  );
  const reset = await createUserFactorsService(database.db).reset(kept.user.id);
  t.is(reset.factorsRemoved, 1);
  t.deepEqual(await service().list(kept.user.id), []);
});
