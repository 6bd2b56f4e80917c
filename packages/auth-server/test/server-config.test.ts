import { randomBytes } from 'node:crypto';
import test from 'ava';
import { type AuthServerError, loadServerConfig, SETTING, SETTINGS } from '../src/index.ts';

const secrets = () => ({
  PORTCULLIS_COOKIE_KEYS: randomBytes(32).toString('base64url'),
  PORTCULLIS_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64url'),
});

const refusal = (
  env: Record<string, string>,
  mode: 'production' | 'development' = 'production',
) => {
  try {
    loadServerConfig(env, { mode });
  } catch (error) {
    return error as AuthServerError;
  }
  return undefined;
};

test('defaults: port 3000 and issuer on localhost', (t) => {
  const config = loadServerConfig(secrets(), { mode: 'development' });
  t.is(config.port, 3000);
  t.is(config.issuer, 'http://localhost:3000');
  t.is(config.host, '127.0.0.1');
  t.false(config.trustProxy);
  t.is(
    loadServerConfig({ ...secrets(), PORTCULLIS_PORT: '3999' }, { mode: 'development' }).issuer,
    'http://localhost:3999',
  );
});

test('production refuses to start without its secrets, naming them', (t) => {
  const error = refusal({});
  t.is(error?.code, 'config_invalid');
  t.regex(
    error?.message ?? '',
    /PORTCULLIS_COOKIE_KEYS and PORTCULLIS_KEY_ENCRYPTION_KEY must be set/,
  );
  const devSecrets = {
    cookieKeys: ['x'.repeat(32)],
    keyEncryptionKey: randomBytes(32).toString('base64url'),
  };
  t.throws(() => loadServerConfig({}, { mode: 'production', devSecrets }), {
    message: /never uses development secrets/,
  });
});

test('production refuses a plain-http issuer off loopback', (t) => {
  t.regex(
    refusal({ ...secrets(), PORTCULLIS_ISSUER: 'http://auth.example.com' })?.message ?? '',
    /https in production/,
  );
  t.is(refusal({ ...secrets(), PORTCULLIS_ISSUER: 'http://127.0.0.1:3000' }), undefined);
  t.is(refusal({ ...secrets(), PORTCULLIS_ISSUER: 'https://auth.example.com' }), undefined);
});

const bad: Array<[string, Record<string, string>, RegExp]> = [
  ['a port that is not a number', { PORTCULLIS_PORT: 'eighty' }, /PORTCULLIS_PORT/],
  ['a port out of range', { PORTCULLIS_PORT: '70000' }, /PORTCULLIS_PORT/],
  ['a relative issuer', { PORTCULLIS_ISSUER: 'auth' }, /PORTCULLIS_ISSUER must be an absolute URL/],
  ['an issuer with a query', { PORTCULLIS_ISSUER: 'https://a.example/?x=1' }, /PORTCULLIS_ISSUER/],
  ['an ftp issuer', { PORTCULLIS_ISSUER: 'ftp://a.example' }, /PORTCULLIS_ISSUER/],
  ['a short cookie key', { PORTCULLIS_COOKIE_KEYS: 'short' }, /PORTCULLIS_COOKIE_KEYS/],
  [
    'a short encryption key',
    { PORTCULLIS_KEY_ENCRYPTION_KEY: 'abc' },
    /PORTCULLIS_KEY_ENCRYPTION_KEY/,
  ],
  ['a bad boolean', { PORTCULLIS_TRUST_PROXY: 'yes' }, /PORTCULLIS_TRUST_PROXY/],
  ['a DPoP nonce neither on nor off', { PORTCULLIS_DPOP_NONCE: 'true' }, /must be on or off/],
  [
    'a PAR requirement neither on nor off',
    { PORTCULLIS_REQUIRE_PAR: 'yes' },
    /PORTCULLIS_REQUIRE_PAR must be on or off/,
  ],
];
for (const [what, env, message] of bad) {
  test(`rejects ${what} with the variable's name`, (t) => {
    const error = refusal({ ...secrets(), ...env }, 'development');
    t.is(error?.code, 'config_invalid');
    t.regex(error?.message ?? '', message);
  });
}

test('every refusal names its setting in `setting`, for the doctor', (t) => {
  const cases: Array<[Record<string, string>, string]> = [
    [{}, 'PORTCULLIS_COOKIE_KEYS'],
    [{ ...secrets(), PORTCULLIS_PORT: 'x' }, 'PORTCULLIS_PORT'],
    [{ ...secrets(), PORTCULLIS_ISSUER: 'http://auth.example.com' }, 'PORTCULLIS_ISSUER'],
    [{ ...secrets(), PORTCULLIS_LIMIT_SIGNIN: '1/1y' }, 'PORTCULLIS_LIMIT_SIGNIN'],
    [{ ...secrets(), PORTCULLIS_JANITOR_INTERVALL: '1h' }, 'PORTCULLIS_JANITOR_INTERVALL'],
    [{ ...secrets(), PORTCULLIS_DEBUG: 'yes' }, 'PORTCULLIS_DEBUG'],
  ];
  for (const [env, setting] of cases) {
    const error = refusal(env);
    t.is(error?.code, 'config_invalid');
    t.is(error?.setting, setting, error?.message);
    t.is(error?.field, undefined);
  }
});

test('the schema holds the defaults: the loader writes none of its own', (t) => {
  const development = loadServerConfig(secrets(), { mode: 'development' });
  const production = loadServerConfig(secrets(), { mode: 'production' });
  t.is(development.port, SETTING.PORTCULLIS_PORT.value);
  t.is(development.host, SETTING.PORTCULLIS_HOST.value.development);
  t.is(production.host, SETTING.PORTCULLIS_HOST.value.production);
  t.is(development.issuer, SETTING.PORTCULLIS_ISSUER.value(SETTING.PORTCULLIS_PORT.value));
  t.is(development.refreshReuseGraceSeconds, SETTING.PORTCULLIS_REFRESH_REUSE_GRACE_SECONDS.value);
  t.is(development.janitorIntervalSeconds, 3600);
  t.is(development.shutdownGraceSeconds, 10);
  t.deepEqual(development.limits.clientAuth, { failures: 10, windowSeconds: 60 });
  t.deepEqual(development.limits.signInAddress, { failures: 100, windowSeconds: 900 });
  t.is(development.metricsHost, SETTING.PORTCULLIS_METRICS_HOST.value);
  t.is(development.metricsPort, undefined);
  // The reference shows each typed default as the value an operator would write.
  t.is(SETTING.PORTCULLIS_JANITOR_INTERVAL.default, '1h');
  t.is(SETTING.PORTCULLIS_LIMIT_CLIENT_AUTH.default, '10/1m');
  t.is(SETTING.PORTCULLIS_HOST.default, '127.0.0.1 in dev, 0.0.0.0 in serve');
  // Each setting is filed under its own variable.
  for (const [name, setting] of Object.entries(SETTING)) t.is(setting.env as string, name);
  t.deepEqual(
    SETTINGS.map((s) => s.env),
    Object.keys(SETTING),
  );
});

for (const [name, key] of [
  ['PORTCULLIS_DPOP_NONCE', 'dpopNonce'],
  ['PORTCULLIS_REQUIRE_PAR', 'requirePar'],
] as const) {
  test(`${name}: off unless on`, (t) => {
    const load = (value?: string) =>
      loadServerConfig(
        { ...secrets(), ...(value === undefined ? {} : { [name]: value }) },
        { mode: 'production' },
      )[key];
    t.false(load());
    t.false(load(''));
    t.false(load('off'));
    t.true(load('on'));
    t.throws(() => load('ON'), { message: new RegExp(`${name} must be on or off`) });
    t.is(SETTING[name].default, 'off');
  });
}

test('mail: an smtp or smtps URL, never echoed; a From address or name and address', (t) => {
  const mail = (env: Record<string, string>) =>
    loadServerConfig({ ...secrets(), ...env }, { mode: 'development' }).mail;
  t.deepEqual(mail({}), { smtpUrl: undefined, from: 'Portcullis <no-reply@localhost>' });
  t.is(
    mail({ PORTCULLIS_SMTP_URL: 'smtps://u:p@mail.example:465' }).smtpUrl,
    'smtps://u:p@mail.example:465',
  );
  t.is(mail({ PORTCULLIS_MAIL_FROM: 'Acme <a@acme.example>' }).from, 'Acme <a@acme.example>');
  for (const url of [
    'http://u:hunter22@mail.example',
    'smtp://u:hunter22@/',
    'smtp://u:hunter22@h/path',
    'nonsense hunter22',
  ]) {
    const error = refusal({ ...secrets(), PORTCULLIS_SMTP_URL: url });
    t.is(error?.setting, 'PORTCULLIS_SMTP_URL', url);
    t.false(error?.message.includes('hunter22'), 'the password is never shown');
  }
  for (const from of ['no at sign', 'a@b, c@d', 'Name <a@b', 'x\n<a@b>']) {
    t.is(
      refusal({ ...secrets(), PORTCULLIS_MAIL_FROM: from })?.setting,
      'PORTCULLIS_MAIL_FROM',
      from,
    );
  }
});

test('PORTCULLIS_SIGNUP: off by default, invite or open; anything else refused by name', (t) => {
  const signup = (value?: string) =>
    loadServerConfig(
      { ...secrets(), ...(value === undefined ? {} : { PORTCULLIS_SIGNUP: value }) },
      { mode: 'development' },
    ).signup;
  t.is(signup(), 'off');
  t.is(SETTING.PORTCULLIS_SIGNUP.default, 'off');
  for (const mode of ['off', 'invite', 'open'] as const) t.is(signup(mode), mode);
  const error = refusal({ ...secrets(), PORTCULLIS_SIGNUP: 'yes' });
  t.is(error?.setting, 'PORTCULLIS_SIGNUP');
  t.regex(error?.message ?? '', /must be off, invite or open, got "yes"/);
  // `serve` without SMTP has no mail: open sign-up would be a form that never works.
  const production = { ...secrets(), PORTCULLIS_SIGNUP: 'open' };
  t.regex(refusal(production)?.message ?? '', /PORTCULLIS_SIGNUP=open needs PORTCULLIS_SMTP_URL/);
  t.is(refusal(production)?.setting, 'PORTCULLIS_SIGNUP');
  t.is(refusal({ ...production, PORTCULLIS_SMTP_URL: 'smtp://mail.example' }), undefined);
  t.is(refusal(production, 'development'), undefined, '`dev` prints its mail');
});

test('PORTCULLIS_REGISTRATION_OPEN_RESOURCES: unset is none; a list needs registration on and absolute URLs', (t) => {
  const load = (env: Record<string, string>) =>
    loadServerConfig({ ...secrets(), ...env }, { mode: 'development' }).registrationOpenResources;
  t.deepEqual(load({}), []);
  t.deepEqual(
    load({
      PORTCULLIS_REGISTRATION: 'on',
      PORTCULLIS_REGISTRATION_OPEN_RESOURCES:
        ' https://mcp.example.com/mcp  http://127.0.0.1:4000 https://mcp.example.com/mcp ',
    }),
    ['https://mcp.example.com/mcp', 'http://127.0.0.1:4000'],
  );
  for (const [env, message] of [
    [
      { PORTCULLIS_REGISTRATION_OPEN_RESOURCES: 'https://mcp.example.com' },
      /needs PORTCULLIS_REGISTRATION=on/,
    ],
    [
      { PORTCULLIS_REGISTRATION: 'on', PORTCULLIS_REGISTRATION_OPEN_RESOURCES: 'mcp' },
      /"mcp" is not an absolute/,
    ],
    [
      { PORTCULLIS_REGISTRATION: 'on', PORTCULLIS_REGISTRATION_OPEN_RESOURCES: 'ftp://x.example' },
      /not an absolute http/,
    ],
    [
      {
        PORTCULLIS_REGISTRATION: 'on',
        PORTCULLIS_REGISTRATION_OPEN_RESOURCES: 'https://x.example/#a',
      },
      /without a fragment/,
    ],
  ] as const) {
    const error = t.throws(() => load(env as Record<string, string>)) as AuthServerError;
    t.regex(error.message, message);
    t.is(error.code, 'config_invalid');
  }
});

test('PORTCULLIS_ADMIN_CONSOLE: off by default; on needs the admin API, refused by name', (t) => {
  t.false(loadServerConfig(secrets(), { mode: 'development' }).adminConsole);
  const on = loadServerConfig(
    { ...secrets(), PORTCULLIS_ADMIN_API: 'on', PORTCULLIS_ADMIN_CONSOLE: 'on' },
    { mode: 'development' },
  );
  t.true(on.adminConsole);
  const alone = refusal({ ...secrets(), PORTCULLIS_ADMIN_CONSOLE: 'on' }, 'development');
  t.is(alone?.setting, 'PORTCULLIS_ADMIN_CONSOLE');
  t.regex(alone?.message ?? '', /needs PORTCULLIS_ADMIN_API=on/);
  t.is(
    refusal({ ...secrets(), PORTCULLIS_ADMIN_CONSOLE: 'yes' }, 'development')?.setting,
    'PORTCULLIS_ADMIN_CONSOLE',
  );
});
