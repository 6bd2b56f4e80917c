import { type DevSecrets, loadServerConfig } from '../config/server-config.ts';
import { SETTING } from '../config/settings.ts';
import type { ErrorSubject } from '../errors.ts';
import { parseKeyEncryptionKey } from '../keys/key-encryption.ts';
import type { ConfigurationFacts } from './facts.ts';
import type { Finding, FindingSubject } from './finding.ts';
import { DOCTOR_THRESHOLDS } from './thresholds.ts';

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** A shell expression for 32 random bytes in base64url, for fixes that need a new secret. */
export const RANDOM_KEY_EXPRESSION = `$(node -e "console.log(require('node:crypto').randomBytes(32).toString('base64url'))")`;

// What `dev` would generate on its first run: long enough to pass, never used for anything.
const PLACEHOLDER_DEV_SECRETS: DevSecrets = {
  cookieKeys: ['x'.repeat(43)],
  keyEncryptionKey: Buffer.alloc(32).toString('base64url'),
};

const setting = (id: string): FindingSubject => ({ kind: 'setting', id });

function checkIssuer(facts: ConfigurationFacts): Finding[] {
  const production = facts.mode === 'production';
  const value =
    facts.env.PORTCULLIS_ISSUER ||
    SETTING.PORTCULLIS_ISSUER.value(facts.env.PORTCULLIS_PORT || SETTING.PORTCULLIS_PORT.value);
  const fix = 'PORTCULLIS_ISSUER=https://auth.example.com';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    url = new URL('invalid:');
  }
  if (
    (url.protocol !== 'https:' && url.protocol !== 'http:') ||
    url.search ||
    url.hash ||
    url.username ||
    url.password
  ) {
    return [
      {
        id: 'issuer-invalid',
        severity: 'error',
        subject: setting('PORTCULLIS_ISSUER'),
        reason: `The issuer "${value}" is not an https URL without query, fragment or credentials, as RFC 8414 §2 requires.`,
        fix,
      },
    ];
  }
  if (url.protocol === 'https:') return [];
  if (!LOOPBACK.has(url.hostname)) {
    return [
      {
        id: 'issuer-not-https',
        severity: production ? 'error' : 'warning',
        subject: setting('PORTCULLIS_ISSUER'),
        reason: `The issuer ${value} is plain http off loopback, so codes, tokens and cookies cross the network unencrypted (RFC 9700 §2.6; RFC 8414 §2 requires https).`,
        fix,
      },
    ];
  }
  if (!production) return [];
  return [
    {
      id: 'issuer-loopback',
      severity: 'info',
      subject: setting('PORTCULLIS_ISSUER'),
      reason: `The production issuer ${value} is plain http on loopback: only this machine can use it and its cookies are not marked Secure (RFC 8414 §2).`,
      fix,
    },
  ];
}

function checkSecrets(facts: ConfigurationFacts): Finding[] {
  const { env, devSecrets } = facts;
  const production = facts.mode === 'production';
  const findings: Finding[] = [];
  const cookieKeys = env.PORTCULLIS_COOKIE_KEYS;
  const kek = env.PORTCULLIS_KEY_ENCRYPTION_KEY;

  if (production && !cookieKeys) {
    findings.push({
      id: 'cookie-keys-missing',
      severity: 'error',
      subject: setting('PORTCULLIS_COOKIE_KEYS'),
      reason:
        'No cookie keys are set, so `serve` refuses to start: it never signs cookies with development keys (docs/security.md: Keys).',
      fix: `PORTCULLIS_COOKIE_KEYS=${RANDOM_KEY_EXPRESSION}`,
    });
  }
  const keys = cookieKeys?.split(',').map((k) => k.trim());
  if (keys?.some((k) => k.length < DOCTOR_THRESHOLDS.cookieKeyLength)) {
    findings.push({
      id: 'cookie-key-short',
      severity: 'error',
      subject: setting('PORTCULLIS_COOKIE_KEYS'),
      reason: `A cookie key shorter than ${DOCTOR_THRESHOLDS.cookieKeyLength} characters can be guessed and session cookies forged with it; the server refuses it (docs/security.md: Keys).`,
      fix: `PORTCULLIS_COOKIE_KEYS=${RANDOM_KEY_EXPRESSION}`,
    });
  }
  if (production && !kek) {
    findings.push({
      id: 'key-encryption-key-missing',
      severity: 'error',
      subject: setting('PORTCULLIS_KEY_ENCRYPTION_KEY'),
      reason:
        'No key-encryption key is set, so `serve` refuses to start: signing keys are stored encrypted under it and never under a development key (docs/security.md: Keys).',
      fix: `PORTCULLIS_KEY_ENCRYPTION_KEY=${RANDOM_KEY_EXPRESSION}`,
    });
  }
  if (kek && !isKeyEncryptionKey(kek)) findings.push(invalidKek());
  if (production && devSecrets) {
    if (keys?.some((k) => devSecrets.cookieKeys.includes(k))) {
      findings.push({
        id: 'dev-secrets-in-use',
        severity: 'error',
        subject: setting('PORTCULLIS_COOKIE_KEYS'),
        reason:
          "A production cookie key is the development one from the data folder's dev-secrets.json, which anyone with that folder can read (docs/security.md: Keys).",
        fix: `PORTCULLIS_COOKIE_KEYS=${RANDOM_KEY_EXPRESSION}`,
      });
    }
    if (kek && kek === devSecrets.keyEncryptionKey) {
      findings.push({
        id: 'dev-secrets-in-use',
        severity: 'error',
        subject: setting('PORTCULLIS_KEY_ENCRYPTION_KEY'),
        reason:
          "The production key-encryption key is the development one from the data folder's dev-secrets.json, so the signing keys' private parts are as safe as that file (docs/security.md: Keys).",
        // The stored signing keys are encrypted under this key: a new one must come with new keys.
        fix: null,
      });
    }
  }
  return findings;
}

function isKeyEncryptionKey(value: string): boolean {
  try {
    parseKeyEncryptionKey(value);
    return true;
  } catch {
    return false;
  }
}

const invalidKek = (): Finding => ({
  id: 'key-encryption-key-invalid',
  severity: 'error',
  subject: setting('PORTCULLIS_KEY_ENCRYPTION_KEY'),
  reason:
    'The key-encryption key is not base64url of exactly 32 bytes, so the server refuses to start (docs/security.md: Keys).',
  fix: `PORTCULLIS_KEY_ENCRYPTION_KEY=${RANDOM_KEY_EXPRESSION}`,
});

function checkSchedules(facts: ConfigurationFacts): Finding[] {
  const findings: Finding[] = [];
  const grace = facts.env.PORTCULLIS_REFRESH_REUSE_GRACE_SECONDS;
  if (grace && /^\d+$/.test(grace) && Number(grace) > DOCTOR_THRESHOLDS.refreshReuseGrace) {
    findings.push({
      id: 'refresh-reuse-grace-long',
      severity: 'info',
      subject: setting('PORTCULLIS_REFRESH_REUSE_GRACE_SECONDS'),
      reason: `For ${grace} seconds after a rotation, reuse of a refresh token is refused without revoking its grant, which delays the reuse detection of RFC 9700 §4.14.2.`,
      fix: `PORTCULLIS_REFRESH_REUSE_GRACE_SECONDS=${SETTING.PORTCULLIS_REFRESH_REUSE_GRACE_SECONDS.default}`,
    });
  }
  const janitor = facts.env.PORTCULLIS_JANITOR_INTERVAL;
  if (facts.mode === 'production' && (janitor === '0' || janitor === 'off')) {
    findings.push({
      id: 'janitor-off',
      severity: 'info',
      subject: setting('PORTCULLIS_JANITOR_INTERVAL'),
      reason:
        '`serve` does not purge expired and consumed tokens, codes and sessions, so they pile up unless `portcullis tokens purge` runs from cron.',
      fix: `PORTCULLIS_JANITOR_INTERVAL=${SETTING.PORTCULLIS_JANITOR_INTERVAL.default}`,
    });
  }
  return findings;
}

// Whatever else `serve` (or `dev`) would refuse, in its own words.
function checkServerWouldStart(facts: ConfigurationFacts, found: readonly Finding[]): Finding[] {
  if (found.some((f) => f.severity === 'error')) return [];
  const command = facts.mode === 'production' ? 'serve' : 'dev';
  try {
    loadServerConfig(
      facts.env,
      facts.mode === 'production'
        ? { mode: 'production' }
        : { mode: 'development', devSecrets: facts.devSecrets ?? PLACEHOLDER_DEV_SECRETS },
    );
    return [];
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const named = error instanceof Error ? (error as ErrorSubject).setting : undefined;
    return [
      {
        id: 'config-invalid',
        severity: 'error',
        subject: setting(named ?? 'environment'),
        reason: `\`portcullis ${command}\` refuses to start with this configuration: ${message}.`,
        fix: null,
      },
    ];
  }
}

/**
 * Judges the server configuration `serve` (production) or `dev` would run with: the issuer, the
 * cookie and key-encryption keys (never the development ones in production), and the schedules.
 * Pure: reads only `facts`.
 *
 * @example
 * checkConfiguration({ mode: 'production', env: process.env, devSecrets: undefined });
 * // [{ id: 'cookie-keys-missing', severity: 'error', ... }, ...]
 */
export function checkConfiguration(facts: ConfigurationFacts): Finding[] {
  const found = [...checkIssuer(facts), ...checkSecrets(facts), ...checkSchedules(facts)];
  return [...found, ...checkServerWouldStart(facts, found)];
}
