import { SIGNING_ALGORITHMS } from '../keys/signing-keys.ts';
import type { SigningKeyFacts } from './facts.ts';
import type { Finding, FindingSubject } from './finding.ts';
import { DOCTOR_THRESHOLDS } from './thresholds.ts';

const DAY = 86_400;

const keySubject = (key: SigningKeyFacts): FindingSubject => ({
  kind: 'signing-key',
  id: key.kid,
  label: key.alg,
});

const secondsBetween = (from: Date, to: Date) => (to.getTime() - from.getTime()) / 1000;

function checkAlgorithm(alg: string, keys: readonly SigningKeyFacts[], now: Date): Finding[] {
  const active = keys.filter((k) => k.alg === alg && k.state === 'active');
  const staged = keys.some((k) => k.alg === alg && k.state === 'next');
  if (active.length === 0) {
    return [
      {
        id: 'signing-key-missing',
        severity: 'warning',
        subject: { kind: 'signing-key', id: alg, label: alg },
        reason: `No ${alg} key is active while other keys are stored, so nothing the server signs with ${alg} (ID tokens, JWT access tokens) can be issued.`,
        fix: `portcullis keys rotate --now --alg ${alg}`,
      },
    ];
  }
  // A rotation already staged is the fix in progress.
  if (staged) return [];
  return active
    .filter((key) => secondsBetween(key.createdAt, now) > DOCTOR_THRESHOLDS.signingKeyAge)
    .map((key) => ({
      id: 'signing-key-old',
      severity: 'warning',
      subject: keySubject(key),
      reason: `The active ${alg} key was created ${Math.floor(secondsBetween(key.createdAt, now) / DAY)} days ago; rotating at least every ${DOCTOR_THRESHOLDS.signingKeyAge / DAY} days bounds what a leaked key can sign (NIST SP 800-57 cryptoperiods).`,
      fix: `portcullis keys rotate --alg ${alg}`,
    }));
}

function checkSchedule(key: SigningKeyFacts, now: Date): Finding[] {
  const due =
    key.state === 'next' ? key.activatesAt : key.state === 'retired' ? key.removesAt : null;
  if (!due || secondsBetween(due, now) <= DOCTOR_THRESHOLDS.keyScheduleGrace) return [];
  const step = key.state === 'next' ? 'start signing' : 'leave the JWKS';
  return [
    {
      id: 'key-schedule-overdue',
      severity: 'warning',
      subject: keySubject(key),
      reason: `The key was due to ${step} at ${due.toISOString()} and has not: no server is running against this database to carry out the staged rotation.`,
      fix: 'portcullis serve',
    },
  ];
}

/**
 * Judges the signing keys: an active key per algorithm, none older than 180 days (unless its
 * rotation is already staged), every stored key decryptable with the configured key-encryption
 * key, and no scheduled step left undone. No keys at all is only noted: the first server start
 * creates them. Pure: reads only its arguments.
 *
 * @example
 * checkSigningKeys(facts.database.keys, facts.now);
 */
export function checkSigningKeys(keys: readonly SigningKeyFacts[], now: Date): Finding[] {
  if (keys.length === 0) {
    return [
      {
        id: 'signing-keys-none',
        severity: 'info',
        subject: { kind: 'signing-key', id: '*' },
        reason: 'No signing keys are stored yet; the first server start generates them.',
        fix: null,
      },
    ];
  }
  const undecryptable = keys
    .filter((key) => key.decrypts === false)
    .map(
      (key): Finding => ({
        id: 'signing-key-undecryptable',
        severity: 'error',
        subject: keySubject(key),
        reason: `The configured key-encryption key does not decrypt the ${key.state} ${key.alg} key, so servers with this configuration refuse to start (docs/security.md: keys encrypted at rest).`,
        fix: 'PORTCULLIS_KEY_ENCRYPTION_KEY=<the key the signing keys were stored with>',
      }),
    );
  return [
    ...undecryptable,
    ...SIGNING_ALGORITHMS.flatMap((alg) => checkAlgorithm(alg, keys, now)),
    ...keys.flatMap((key) => checkSchedule(key, now)),
  ];
}
