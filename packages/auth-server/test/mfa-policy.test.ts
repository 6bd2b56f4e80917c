import { randomBytes } from 'node:crypto';
import test from 'ava';
import { type AuthServerError, loadServerConfig } from '../src/index.ts';
import { createMfaRequirement } from '../src/provider/mfa-policy.ts';
import type { ClientRegistry } from '../src/registry/client-registry.ts';

// PORTCULLIS_MFA's parsing, and the one rule of when a sign-in needs a second factor (the
// provider's login check and the login page both ask it).

const load = (value?: string) =>
  loadServerConfig(
    {
      PORTCULLIS_COOKIE_KEYS: randomBytes(32).toString('base64url'),
      PORTCULLIS_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64url'),
      ...(value === undefined ? {} : { PORTCULLIS_MFA: value }),
    },
    { mode: 'development' },
  );

test('PORTCULLIS_MFA: optional by default, off and required, anything else refused', (t) => {
  t.is(load().mfa, 'optional');
  t.is(load('').mfa, 'optional');
  for (const value of ['off', 'optional', 'required'] as const) t.is(load(value).mfa, value);
  for (const value of ['on', 'Required', 'true']) {
    const error = t.throws(() => load(value)) as AuthServerError;
    t.is(error.code, 'config_invalid');
    t.is(error.setting, 'PORTCULLIS_MFA');
    t.is(error.message, 'PORTCULLIS_MFA must be off, optional or required');
  }
});

const MFA = 'urn:portcullis:acr:mfa';
const PWD = 'urn:portcullis:acr:pwd';
// The registry's one method the rule reads: `strict` requires a second factor.
const clients = {
  get: async (id: string) => ({ record: { requireMfa: id === 'strict' } }),
} as unknown as ClientRegistry;
const rule = (policy: 'off' | 'optional' | 'required', withFactor: string[] = []) =>
  createMfaRequirement({ policy, clients, hasFactor: async (id) => withFactor.includes(id) });

test('optional: needed for a user with a factor, a --require-mfa client, or acr_values asking mfa alone', async (t) => {
  const optional = rule('optional', ['has']);
  t.false(await optional.needed({ accountId: 'none', clientId: 'plain' }));
  t.true(await optional.needed({ accountId: 'has', clientId: 'plain' }));
  t.true(await optional.needed({ accountId: 'none', clientId: 'strict' }));
  t.true(await optional.needed({ accountId: 'none', acrValues: MFA }));
  t.false(
    await optional.needed({ accountId: 'none', acrValues: `${MFA} ${PWD}` }),
    'either will do',
  );
  t.false(await optional.needed({ accountId: 'none', acrValues: 'urn:other' }));
});

test('required: always needed; off: never, whatever the client, the user or the request', async (t) => {
  t.true(await rule('required').needed({ accountId: 'none' }));
  const off = rule('off', ['has']);
  t.false(await off.needed({ accountId: 'has', clientId: 'strict', acrValues: MFA }));
});
