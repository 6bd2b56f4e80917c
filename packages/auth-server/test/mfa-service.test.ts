import { randomBytes } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import { Secret, TOTP } from 'otpauth';
import type { AuthServerError } from '../src/errors.ts';
import { createMfaService } from '../src/services/mfa-service.ts';
import { createUserFactorsService } from '../src/services/user-factors-service.ts';
import { createUsersService } from '../src/services/users-service.ts';

let database: TestDatabase;
test.before(async () => {
  database = await createTestDatabase();
});
test.after.always(async () => {
  await database?.drop();
});

const KEK = randomBytes(32);
// A fixed instant in the middle of a 30-second step, moved by the tests (serial: they share it).
let clock = Date.UTC(2026, 0, 1, 12, 0, 15);
const service = () =>
  createMfaService({
    db: database.db,
    keyEncryptionKey: KEK,
    issuer: 'Portcullis',
    now: () => clock,
  });
const code = (secret: string, at: number) =>
  new TOTP({ secret: Secret.fromBase32(secret) }).generate({ timestamp: at });
const errorCode = (error: unknown) => (error as AuthServerError | undefined)?.code;

let users = 0;
async function newUser() {
  users += 1;
  return createUsersService(database.db).create({
    username: `mfa-user-${users}`,
    password: 'correct horse battery staple',
  });
}

test.serial(
  'enrolment: the seed is stored only encrypted, confirmed by a code, ten codes returned once',
  async (t) => {
    const user = await newUser();
    const enrolment = await service().pendingTotp(user);
    t.regex(enrolment.secret, /^[A-Z2-7]{32}$/);
    t.true(enrolment.uri.startsWith('otpauth://totp/Portcullis:mfa-user-'));
    t.true(enrolment.uri.includes(`secret=${enrolment.secret}`));
    // The same enrolment until it is confirmed (a reload shows the same seed).
    t.is((await service().pendingTotp(user)).secret, enrolment.secret);
    const [row] = await database.db('user_factors').where({ user_id: user.id });
    t.false(JSON.stringify(row).includes(enrolment.secret));
    t.is(row.confirmed_at, null);
    t.false(await service().hasFactor(user.id));

    t.is(await service().confirmTotp(user, '000000'.replace('0', '9')), undefined);
    const codes = await service().confirmTotp(user, code(enrolment.secret, clock));
    t.is(codes?.length, 10);
    for (const c of codes ?? []) t.regex(c, /^[a-z2-7]{4}(-[a-z2-7]{4}){3}$/);
    t.true(await service().hasFactor(user.id));
    const stored = JSON.stringify(
      await database.db('user_recovery_codes').where({ user_id: user.id }),
    );
    for (const c of codes ?? [])
      t.false(stored.includes(c) || stored.includes(c.replaceAll('-', '')));
    const status = await service().status(user.id);
    t.is(status.recoveryCodesLeft, 10);
    t.like(status.factors[0], { kind: 'totp', label: 'Authenticator app' });
    const events = await database
      .db('audit_events')
      .where({ subject: user.id, type: 'mfa.enrolled' });
    t.is(events.length, 1);
    t.false(JSON.stringify(events).includes(enrolment.secret));
    // A second app is refused while one is set up.
    t.is(errorCode(await t.throwsAsync(service().pendingTotp(user))), 'conflict');
  },
);

test.serial('verification: one step either side, no further, and each step once', async (t) => {
  const user = await newUser();
  const { secret } = await service().pendingTotp(user);
  clock += 300_000;
  await service().confirmTotp(user, code(secret, clock));
  clock += 300_000;
  t.false(await service().verifyTotp(user.id, code(secret, clock - 60_000)), 'two steps back');
  t.false(await service().verifyTotp(user.id, code(secret, clock + 60_000)), 'two steps ahead');
  t.false(await service().verifyTotp(user.id, 'abcdef'));
  t.true(await service().verifyTotp(user.id, code(secret, clock - 30_000)), 'one step back');
  t.false(await service().verifyTotp(user.id, code(secret, clock - 30_000)), 'replayed');
  t.true(await service().verifyTotp(user.id, code(secret, clock)), 'now');
  t.false(await service().verifyTotp(user.id, code(secret, clock)), 'replayed');
  t.true(await service().verifyTotp(user.id, code(secret, clock + 30_000)), 'one step ahead');
  clock += 30_000;
  // The code of the step now current was accepted a moment ago as the next one.
  t.false(await service().verifyTotp(user.id, code(secret, clock)), 'replayed across steps');
  // Two concurrent uses of one new code: exactly one wins.
  clock += 120_000;
  const both = await Promise.all([
    service().verifyTotp(user.id, code(secret, clock)),
    service().verifyTotp(user.id, code(secret, clock)),
  ]);
  t.deepEqual(both.sort(), [false, true]);
});

test.serial(
  'recovery codes are single use, in any case and grouping; reset and remove audit',
  async (t) => {
    const user = await newUser();
    const { secret } = await service().pendingTotp(user);
    const codes = (await service().confirmTotp(user, code(secret, clock))) as string[];
    const first = codes[0] as string;
    t.false(await service().useRecoveryCode(user, 'aaaa-bbbb-cccc-dddd'));
    t.true(await service().useRecoveryCode(user, first.toUpperCase().replaceAll('-', ' ')));
    t.false(await service().useRecoveryCode(user, first));
    t.is((await service().status(user.id)).recoveryCodesLeft, 9);
    const used = await database
      .db('audit_events')
      .where({ subject: user.id, type: 'mfa.recovery_code_used' });
    t.is(used.length, 1);
    t.like(used[0].details, { recovery_codes_left: 9 });

    const shown = await createUserFactorsService(database.db).show(user.username.toUpperCase());
    t.is(shown.userId, user.id);
    t.is(shown.factors.length, 1);
    t.false(JSON.stringify(shown).includes(secret));
    const reset = await createUserFactorsService(database.db).reset(user.username, {
      actor: 'cli:ops',
    });
    t.is(reset.factorsRemoved, 1);
    t.false(await service().hasFactor(user.id));
    t.is((await service().status(user.id)).recoveryCodesLeft, 0);
    const [event] = await database
      .db('audit_events')
      .where({ subject: user.id, type: 'mfa.reset' });
    t.like(event, { actor: 'cli:ops' });
    t.is(
      errorCode(await t.throwsAsync(createUserFactorsService(database.db).reset('nobody-here'))),
      'not_found',
    );

    const again = await service().pendingTotp(user);
    t.truthy(await service().confirmTotp(user, code(again.secret, clock)));
    const [factor] = (await service().status(user.id)).factors;
    t.is(errorCode(await t.throwsAsync(service().remove(user, 'nope'))), 'not_found');
    await service().remove(user, factor?.id as string, { actor: `user:${user.id}` });
    t.deepEqual(await service().status(user.id), { factors: [], recoveryCodesLeft: 0 });
    t.is(
      (await database.db('audit_events').where({ subject: user.id, type: 'mfa.removed' })).length,
      1,
    );
  },
);

test.serial('a seed does not decrypt under another key-encryption key', async (t) => {
  const user = await newUser();
  await service().pendingTotp(user);
  const other = createMfaService({
    db: database.db,
    keyEncryptionKey: randomBytes(32),
    issuer: 'x',
  });
  await t.throwsAsync(other.pendingTotp(user));
});

test.serial(
  'an app enrolment in progress is dropped when the user chooses another factor',
  async (t) => {
    const user = await newUser();
    const first = await service().pendingTotp(user);
    await service().dropPendingTotp(user.id);
    t.deepEqual(await database.db('user_factors').where({ user_id: user.id }), []);
    // A confirmed app is never dropped; a new enrolment has a new seed.
    const second = await service().pendingTotp(user);
    t.not(second.secret, first.secret);
    t.truthy(await service().confirmTotp(user, code(second.secret, clock)));
    await service().dropPendingTotp(user.id);
    t.true(await service().hasApp(user.id));
  },
);
