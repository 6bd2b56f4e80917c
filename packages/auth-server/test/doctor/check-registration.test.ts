import test from 'ava';
import { checkRegistration, type RegistrationTokenFacts } from '../../src/index.ts';
import { daysAgo, daysAhead, ids, NOW } from './fixtures.ts';

// Dynamic registration's findings: loose initial access tokens while it is on, and live tokens
// while it is off.

const token = (fields: Partial<RegistrationTokenFacts> = {}): RegistrationTokenFacts => ({
  id: 'tok1',
  scopes: [],
  resources: [],
  maxUses: 1,
  uses: 0,
  expiresAt: daysAhead(1),
  revokedAt: null,
  createdBy: 'cli:ops',
  createdAt: daysAgo(1),
  ...fields,
});

const on = (env: Record<string, string> = {}) => ({
  mode: 'production' as const,
  env: { PORTCULLIS_REGISTRATION: 'on', ...env },
  devSecrets: undefined,
});
const off = { mode: 'production' as const, env: {}, devSecrets: undefined };

test('on, with tokens that expire and have a use limit: nothing to say', (t) => {
  t.deepEqual(checkRegistration(on(), [token()], NOW), []);
});

test('on: a token that never expires, or registers without limit, is a warning', (t) => {
  const findings = checkRegistration(
    on(),
    [token({ id: 'forever', expiresAt: null }), token({ id: 'many', maxUses: null })],
    NOW,
  );
  t.deepEqual(ids(findings), [
    'registration-token-never-expires',
    'registration-token-unlimited-uses',
  ]);
  t.deepEqual(
    findings.map((f) => [f.severity, f.subject]),
    [
      ['warning', { kind: 'registration-token', id: 'forever' }],
      ['warning', { kind: 'registration-token', id: 'many' }],
    ],
  );
  t.is(findings[0]?.fix, 'portcullis clients registration-token revoke forever');
  t.regex(findings[0]?.reason ?? '', /--expires 1d --max-uses 1/);
  t.regex(findings[0]?.reason ?? '', /RFC 7591/);
});

test('on: tokens that can no longer register are not judged', (t) => {
  const dead = [
    token({ id: 'revoked', expiresAt: null, revokedAt: daysAgo(1) }),
    token({ id: 'expired', maxUses: null, expiresAt: daysAgo(1) }),
    token({ id: 'used', expiresAt: null, maxUses: 2, uses: 2 }),
  ];
  t.deepEqual(checkRegistration(on(), dead, NOW), []);
});

test('on without a per-address limit on wrong tokens is a warning', (t) => {
  const findings = checkRegistration(on({ PORTCULLIS_LIMIT_CLIENT_AUTH_ADDRESS: 'off' }), [], NOW);
  t.deepEqual(ids(findings), ['registration-without-address-limit']);
  t.is(findings[0]?.fix, 'PORTCULLIS_LIMIT_CLIENT_AUTH_ADDRESS=30/1m');
});

test('off: live tokens are a note, dead ones nothing', (t) => {
  const findings = checkRegistration(
    off,
    [
      token({ id: 'live', expiresAt: null, maxUses: null }),
      token({ id: 'gone', revokedAt: daysAgo(2) }),
    ],
    NOW,
  );
  t.deepEqual(ids(findings), ['registration-token-unused']);
  t.is(findings[0]?.severity, 'info');
  t.is(findings[0]?.fix, 'portcullis clients registration-token revoke live');
});
