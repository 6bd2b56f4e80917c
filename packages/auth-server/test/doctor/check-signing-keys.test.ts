import test from 'ava';
import { checkSigningKeys } from '../../src/index.ts';
import { daysAgo, ids, key, NOW, soundKeys } from './fixtures.ts';

test('one sound active key per algorithm: no findings', (t) => {
  t.deepEqual(checkSigningKeys(soundKeys(), NOW), []);
});

test('no keys at all is a note: the first server start creates them', (t) => {
  t.deepEqual(
    checkSigningKeys([], NOW).map((f) => [f.id, f.severity]),
    [['signing-keys-none', 'info']],
  );
});

test('an algorithm without an active key while others have one', (t) => {
  const findings = checkSigningKeys([key()], NOW);
  t.deepEqual(
    findings.map((f) => [f.id, f.severity, f.fix]),
    [['signing-key-missing', 'warning', 'portcullis keys rotate --now --alg RS256']],
  );
});

test('an active key older than 180 days, unless its rotation is already staged', (t) => {
  const old = key({ createdAt: daysAgo(181) });
  const findings = checkSigningKeys([old, key({ kid: 'kid-rs', alg: 'RS256' })], NOW);
  t.deepEqual(
    findings.map((f) => [f.id, f.severity, f.subject.id, f.fix]),
    [['signing-key-old', 'warning', 'kid-es', 'portcullis keys rotate --alg ES256']],
  );
  t.regex(findings[0]?.reason ?? '', /181 days ago/);
  const staged = key({
    kid: 'kid-next',
    state: 'next',
    activatesAt: new Date(NOW.getTime() + 1000),
  });
  t.deepEqual(checkSigningKeys([old, soundKeys()[1]!, staged], NOW), []);
});

test('a key the configured key-encryption key does not decrypt is an error', (t) => {
  const findings = checkSigningKeys(
    [
      key({ decrypts: false }),
      key({ kid: 'kid-rs', alg: 'RS256' }),
      key({
        kid: 'kid-old',
        state: 'retired',
        decrypts: false,
        removesAt: new Date(NOW.getTime() + 60_000),
      }),
    ],
    NOW,
  );
  t.deepEqual(
    findings.map((f) => [f.id, f.severity, f.subject.id]),
    [
      ['signing-key-undecryptable', 'error', 'kid-es'],
      ['signing-key-undecryptable', 'error', 'kid-old'],
    ],
  );
  t.regex(findings[0]?.fix ?? '', /^PORTCULLIS_KEY_ENCRYPTION_KEY=/);
  // Unknown (no key-encryption key configured to try): not judged.
  t.deepEqual(checkSigningKeys([key({ decrypts: undefined }), soundKeys()[1]!], NOW), []);
});

test('a staged step more than 10 minutes overdue means no server is running', (t) => {
  const late = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000);
  const findings = checkSigningKeys(
    [
      ...soundKeys(),
      key({ kid: 'next-late', state: 'next', activatesAt: late(11) }),
      key({ kid: 'retired-late', alg: 'RS256', state: 'retired', removesAt: late(60) }),
      key({ kid: 'retired-due', alg: 'RS256', state: 'retired', removesAt: late(5) }),
    ],
    NOW,
  );
  t.deepEqual(
    findings.map((f) => [f.id, f.severity, f.subject.id, f.fix]),
    [
      ['key-schedule-overdue', 'warning', 'next-late', 'portcullis serve'],
      ['key-schedule-overdue', 'warning', 'retired-late', 'portcullis serve'],
    ],
  );
  t.regex(findings[0]?.reason ?? '', /start signing/);
  t.regex(findings[1]?.reason ?? '', /leave the JWKS/);
  t.deepEqual(ids(checkSigningKeys(soundKeys(), NOW)), []);
});
