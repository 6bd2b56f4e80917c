import { createAuthServer, type Logger } from '@portcullis/auth-server';
import {
  type AuditEventRecord,
  type AuditEventType,
  createAuditRepository,
} from '@portcullis/storage';
import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import * as client from 'openid-client';
import {
  discoverClient,
  HttpBrowser,
  inputValue,
  linkHref,
  type Stack,
  startStack,
  submitForm,
} from '../src/index.ts';

const REDIRECT = 'http://127.0.0.1:8768/callback';
const PASSWORD = 'audited-owner-password';
const WRONG = 'not-ginas-password-at-all';
// What people type into the username field by mistake: never stored, since no user has it.
const NOT_A_USER = 'my.secret.passphrase';
const SCOPE = 'openid offline_access notes:read';

/** A stack on a database of its own, with the user gina and an app she authorises. */
interface Site {
  database: TestDatabase;
  stack: Stack;
  app: { client_id: string; client_secret: string };
  userId: string;
}

async function startSite(env: Record<string, string>): Promise<Site> {
  const database = await createTestDatabase();
  const stack = await startStack(database.db, database.url, env);
  const { id: userId } = await stack.cli<{ id: string }>(
    ['users', 'create', '--username', 'gina', '--password-stdin'],
    `${PASSWORD}\n`,
  );
  const app = await stack.cli<Site['app']>([
    'clients',
    'create',
    '--name',
    'Audited App',
    '--grant',
    'authorization_code',
    'refresh_token',
    '--redirect-uri',
    REDIRECT,
    '--resource',
    stack.api,
    '--scope',
    SCOPE,
  ]);
  return { database, stack, app, userId };
}

// Refresh reuse is never forgiven on `site` (grace 0); `proxied` trusts X-Forwarded-For and
// keeps the default 10-second grace window.
let site: Site;
let proxied: Site;

test.before(async () => {
  site = await startSite({ PORTCULLIS_REFRESH_REUSE_GRACE_SECONDS: '0' });
  proxied = await startSite({ PORTCULLIS_TRUST_PROXY: 'true' });
});
test.after.always(async () => {
  for (const started of [site, proxied]) {
    await started?.stack.stop();
    await started?.database.drop();
  }
});

/** Events of these types recorded on `on` after event `after`, oldest first. */
async function recorded(
  on: Site,
  after: string,
  ...types: AuditEventType[]
): Promise<AuditEventRecord[]> {
  const events = await createAuditRepository(on.database.db).list({ afterId: after, limit: 1000 });
  return events.filter((e) => types.includes(e.type));
}
async function lastId(on: Site): Promise<string> {
  return (await createAuditRepository(on.database.db).list({ limit: 1 }))[0]?.id ?? '0';
}

async function configFor(on: Site, headers: Record<string, string> = {}) {
  const config = await discoverClient(on.stack.issuer, on.app);
  config[client.customFetch] = (url, options) => {
    const merged = new Headers(options.headers as ConstructorParameters<typeof Headers>[0]);
    for (const [name, value] of Object.entries(headers)) merged.set(name, value);
    return fetch(url, { ...options, headers: merged } as RequestInit);
  };
  return config;
}

/**
 * Authorises the app as gina through the login and consent pages. `attempts` are tried on the
 * login page before gina's real password.
 */
async function authorise(on: Site, attempts: Array<{ username: string; password: string }> = []) {
  const config = await configFor(on);
  const verifier = client.randomPKCECodeVerifier();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT,
    scope: SCOPE,
    prompt: 'consent',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  });
  const browser = new HttpBrowser(on.stack.issuer);
  let step = await browser.follow(url.href);
  for (const attempt of attempts) {
    step = (await submitForm(browser, step, attempt)).next;
    if (step.response.status !== 401) throw new Error(`expected 401, got ${step.response.status}`);
  }
  step = (await submitForm(browser, step, { username: 'gina', password: PASSWORD })).next;
  step = (await submitForm(browser, step, { decision: 'approve' })).next;
  const tokens = await client.authorizationCodeGrant(config, new URL(step.left as string), {
    pkceCodeVerifier: verifier,
  });
  return { browser, config, refreshToken: tokens.refresh_token as string };
}

/** Signs in on the account page of `origin` by hand, so headers can be added. */
async function accountSignIn(
  origin: string,
  password: string,
  headers: Record<string, string> = {},
): Promise<Response> {
  const page = await fetch(`${origin}/account`);
  const cookie = page.headers
    .getSetCookie()
    .map((line) => line.split(';')[0])
    .join('; ');
  const csrf = inputValue(await page.text(), 'csrf') as string;
  return fetch(`${origin}/account/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams({ csrf, username: 'gina', password }),
  });
}

const grantIdsOfGina = async (on: Site) =>
  (
    await on.database
      .db('oidc_artifacts')
      .where({ model: 'Grant' })
      .whereRaw(`payload->>'accountId' = ?`, [on.userId])
      .select('id')
  ).map((row: { id: string }) => row.id);

/** Revokes every grant gina has, so a test starts with none. */
const revokeGinasGrants = (on: Site) => on.stack.cli(['grants', 'revoke', '--user', 'gina']);

const LOOPBACK = /^(::ffff:)?127\.0\.0\.1$|^::1$/;

// Serial: the tests read the trail in order and rename its table in the last one.
test.serial(
  'sign-in failures, the sign-in and the consent are recorded with who, client and address',
  async (t) => {
    const { app, userId } = site;
    const start = await lastId(site);
    await revokeGinasGrants(site);
    await authorise(site, [
      { username: 'gina', password: WRONG },
      { username: NOT_A_USER, password: WRONG },
    ]);
    const events = await recorded(
      site,
      start,
      'signin.failed',
      'signin.succeeded',
      'consent.granted',
    );
    t.deepEqual(
      events.map((e) => [e.type, e.actor, e.clientId, e.subject, e.details]),
      [
        [
          'signin.failed',
          'anonymous',
          app.client_id,
          userId,
          { via: 'authorization', username: 'gina' },
        ],
        [
          'signin.failed',
          'anonymous',
          app.client_id,
          null,
          { via: 'authorization', unknown_user: true },
        ],
        [
          'signin.succeeded',
          `user:${userId}`,
          app.client_id,
          userId,
          { via: 'authorization', username: 'gina', amr: ['pwd'] },
        ],
        ['consent.granted', `user:${userId}`, app.client_id, userId, events[3]?.details],
      ],
    );
    const consent = events[3]?.details as { grant_id: string; scope: string; resources: object };
    t.deepEqual(await grantIdsOfGina(site), [consent.grant_id]);
    t.deepEqual(consent.scope.split(' ').sort(), ['offline_access', 'openid']);
    t.deepEqual(consent.resources, { [site.stack.api]: 'notes:read' });
    for (const event of events) t.regex(event.address ?? '', LOOPBACK);

    const stored = JSON.stringify(await site.database.db('audit_events').select('*'));
    for (const secret of [PASSWORD, WRONG, NOT_A_USER]) t.false(stored.includes(secret));
  },
);

test.serial('removing an app on the account page records consent.revoked', async (t) => {
  await revokeGinasGrants(site);
  const { browser } = await authorise(site);
  const [grantId] = await grantIdsOfGina(site);
  const start = await lastId(site);
  const account = await browser.follow(`${site.stack.issuer}/account`);
  const page = await account.response.text();
  t.regex(page, /Audited App/);
  // "Remove access" leads to a confirmation page, whose form removes it.
  const confirm = await browser.follow(
    new URL(linkHref(page, /Remove access/) as string, account.url).href,
  );
  const after = (await submitForm(browser, confirm, {})).next;
  t.regex(await after.response.text(), /No app has access to your account/);
  const events = await recorded(site, start, 'consent.revoked');
  t.is(events.length, 1);
  t.like(events[0], {
    actor: `user:${site.userId}`,
    clientId: site.app.client_id,
    subject: site.userId,
    details: { grant_id: grantId, via: 'account' },
  });
  t.regex(events[0]?.address ?? '', LOOPBACK);
  t.deepEqual(await grantIdsOfGina(site), []);
});

test.serial('reusing a rotated refresh token revokes the grant and is recorded', async (t) => {
  await revokeGinasGrants(site);
  const { config, refreshToken } = await authorise(site);
  await client.refreshTokenGrant(config, refreshToken);
  const [grantId] = await grantIdsOfGina(site);
  const start = await lastId(site);
  const reuse = await client.refreshTokenGrant(config, refreshToken).catch((e) => e);
  t.is((reuse as client.ResponseBodyError).error, 'invalid_grant');
  const events = await recorded(site, start, 'refresh_token.reuse_detected');
  t.is(events.length, 1);
  t.like(events[0], {
    actor: `client:${site.app.client_id}`,
    clientId: site.app.client_id,
    subject: site.userId,
    details: { grant_revoked: true, grant_id: grantId },
  });
  t.regex(events[0]?.address ?? '', LOOPBACK);
  t.deepEqual(await grantIdsOfGina(site), [], 'the grant is gone');
});

test.serial('reuse within the grace window is recorded too, and the grant is kept', async (t) => {
  await revokeGinasGrants(proxied);
  const { config, refreshToken } = await authorise(proxied);
  const rotated = await client.refreshTokenGrant(config, refreshToken);
  const start = await lastId(proxied);
  const forwarded = await configFor(proxied, { 'x-forwarded-for': '198.51.100.23' });
  const reuse = await client.refreshTokenGrant(forwarded, refreshToken).catch((e) => e);
  t.is((reuse as client.ResponseBodyError).error, 'invalid_grant');
  const events = await recorded(proxied, start, 'refresh_token.reuse_detected');
  t.is(events.length, 1);
  t.like(events[0], {
    actor: `client:${proxied.app.client_id}`,
    clientId: proxied.app.client_id,
    address: '198.51.100.23',
    details: { grant_revoked: false, within_grace_window: true },
  });
  const next = await client.refreshTokenGrant(config, rotated.refresh_token as string);
  t.truthy(next.access_token, 'the rotated token still works');
});

test.serial('X-Forwarded-For names the address only where the proxy is trusted', async (t) => {
  const forwarded = { 'x-forwarded-for': '203.0.113.7' };
  const [siteStart, proxiedStart] = [await lastId(site), await lastId(proxied)];
  t.is((await accountSignIn(site.stack.issuer, WRONG, forwarded)).status, 401);
  t.is((await accountSignIn(proxied.stack.issuer, WRONG, forwarded)).status, 401);
  t.is((await accountSignIn(proxied.stack.issuer, PASSWORD, forwarded)).status, 303);
  const direct = await recorded(site, siteStart, 'signin.failed');
  const behindProxy = await recorded(proxied, proxiedStart, 'signin.failed', 'signin.succeeded');
  t.deepEqual(
    [...direct, ...behindProxy].map((e) => [e.type, e.clientId, e.subject, e.details]),
    [
      ['signin.failed', null, site.userId, { via: 'account', username: 'gina' }],
      ['signin.failed', null, proxied.userId, { via: 'account', username: 'gina' }],
      [
        'signin.succeeded',
        null,
        proxied.userId,
        { via: 'account', username: 'gina', amr: ['pwd'] },
      ],
    ],
  );
  t.regex(direct[0]?.address ?? '', LOOPBACK, 'not trusted: the socket address');
  t.deepEqual(
    behindProxy.map((e) => e.address),
    ['203.0.113.7', '203.0.113.7'],
  );
});

test.serial(
  'when the trail cannot be written, requests go on and the failure is logged',
  async (t) => {
    const lines: Array<Record<string, unknown>> = [];
    const capture = (level: string) => (message: string, fields?: Record<string, unknown>) => {
      lines.push({ level, message, ...fields });
    };
    const logger: Logger = {
      info: capture('info'),
      warn: capture('warn'),
      error: capture('error'),
    };
    // A second server on the same database, to read its log.
    const server = await createAuthServer({
      db: site.database.db,
      databaseUrl: site.database.url,
      config: site.stack.config,
      logger,
    });
    const { url } = await server.listen(0);
    const { config, refreshToken } = await authorise(site);
    await client.refreshTokenGrant(config, refreshToken);

    await site.database.db.raw('alter table audit_events rename to audit_events_away');
    try {
      t.is((await accountSignIn(url, WRONG)).status, 401);
      const signedIn = await accountSignIn(url, PASSWORD);
      t.is(signedIn.status, 303);
      t.is(signedIn.headers.get('location'), '/account');
      const reuse = await client.refreshTokenGrant(config, refreshToken).catch((e) => e);
      t.is((reuse as client.ResponseBodyError).error, 'invalid_grant', 'not a server error');
    } finally {
      await site.database.db.raw('alter table audit_events_away rename to audit_events');
      await server.close();
    }
    const failures = lines.filter((l) => l.message === 'could not record an audit event');
    t.deepEqual(
      failures.map((l) => [l.level, l.type]),
      [
        ['error', 'signin.failed'],
        ['error', 'signin.succeeded'],
      ],
    );
    t.regex(String(failures[0]?.error), /audit_events/);
    const logged = JSON.stringify(lines);
    t.false(logged.includes(PASSWORD) || logged.includes(WRONG), 'no password in the logs');
  },
);
