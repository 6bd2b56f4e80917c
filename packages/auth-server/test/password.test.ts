import { hash } from '@node-rs/argon2';
import test from 'ava';
import {
  hashPassword,
  hasPassword,
  NO_PASSWORD,
  needsRehash,
  passwordVerifications,
  verifyAgainstDummy,
  verifyPassword,
} from '../src/secrets/password.ts';

test('hashes with argon2id at the OWASP parameters and a fresh salt each time', async (t) => {
  const first = await hashPassword('correct horse battery staple');
  const second = await hashPassword('correct horse battery staple');
  t.true(first.startsWith('$argon2id$v=19$m=19456,t=2,p=1$'), first);
  t.not(first, second, 'salted');
  t.false(first.includes('correct horse'));
});

test('verifies the password and nothing else', async (t) => {
  const stored = await hashPassword('correct horse battery staple');
  t.true(await verifyPassword('correct horse battery staple', stored));
  t.false(await verifyPassword('correct horse battery staplE', stored));
  t.false(await verifyPassword('correct horse battery staple ', stored));
  t.false(await verifyPassword('', stored));
});

test('compares passwords after NFKC normalization', async (t) => {
  const stored = await hashPassword('caf\u00e9 au lait'); // é precomposed
  t.true(await verifyPassword('cafe\u0301 au lait', stored), 'e + combining acute accent');
});

test('a malformed or foreign hash is a mismatch, never an exception', async (t) => {
  for (const bad of [
    '',
    'garbage',
    'sha256$abc',
    '$argon2id$v=19$m=19456,t=2,p=1$',
    '$argon2id$v=19$m=19456,t=2,p=1$!!!$???',
  ]) {
    t.false(await verifyPassword('password', bad), bad);
  }
});

test('needsRehash is false for current hashes and true for other parameters or garbage', async (t) => {
  t.false(needsRehash(await hashPassword('a password')));
  const options = { memoryCost: 19_456, timeCost: 2, parallelism: 1 };
  t.true(needsRehash(await hash('a password', { ...options, algorithm: 1 })), 'argon2i');
  t.true(needsRehash(await hash('a password', { ...options, algorithm: 2, timeCost: 1 })));
  t.true(needsRehash(await hash('a password', { ...options, algorithm: 2, memoryCost: 8192 })));
  t.true(needsRehash(await hash('a password', { ...options, algorithm: 2, parallelism: 2 })));
  t.true(needsRehash(await hash('a password', { ...options, algorithm: 2, outputLen: 16 })));
  t.true(needsRehash('garbage'));
  t.true(needsRehash('sha256$abc'));
});

test('an older hash still verifies, so it can be upgraded at the next login', async (t) => {
  const old = await hash('a password', { algorithm: 2, memoryCost: 8192, timeCost: 1 });
  t.true(await verifyPassword('a password', old));
});

test.serial(
  'verifyAgainstDummy always resolves to false after exactly one real verification',
  async (t) => {
    t.false(await verifyAgainstDummy('anything')); // the first call also makes the dummy hash
    for (const password of ['a password', '', 'x'.repeat(1000)]) {
      const before = passwordVerifications();
      t.false(await verifyAgainstDummy(password));
      t.is(passwordVerifications() - before, 1, 'one argon2id verification, not a shortcut');
    }
  },
);

test.serial(
  'a user with no password: nothing matches it, at the cost of a wrong password',
  async (t) => {
    t.false(hasPassword(NO_PASSWORD));
    t.true(hasPassword(await hashPassword('a real password')));
    const before = passwordVerifications();
    for (const attempt of ['', NO_PASSWORD, 'anything']) {
      t.false(await verifyPassword(attempt, NO_PASSWORD));
    }
    t.is(passwordVerifications() - before, 3, 'one argon2id verification each, like a wrong one');
  },
);
