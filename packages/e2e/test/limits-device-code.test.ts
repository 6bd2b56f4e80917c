import { randomInt } from 'node:crypto';
import { createAuditRepository } from '@portcullis/storage';
import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import { formAction, HttpBrowser, inputValue, type Stack, startStack } from '../src/index.ts';

// RFC 8628 §5.1: user codes are short, so guessing them is limited, per address and on the whole
// server (a wrong code names no device authorization; it is a guess at all of them at once).

const ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ';

/** A stack on a database of its own, with a public device client. */
interface Site {
  database: TestDatabase;
  stack: Stack;
  clientId: string;
}

async function startSite(env: Record<string, string>): Promise<Site> {
  const database = await createTestDatabase();
  const stack = await startStack(database.db, database.url, env);
  const tv = await stack.cli<{ client_id: string }>([
    'clients',
    'create',
    '--name',
    'Guessed TV',
    '--public',
    '--grant',
    'device_code',
    '--scope',
    'openid',
  ]);
  return { database, stack, clientId: tv.client_id };
}

// `perAddress` has the default limits (10 wrong codes per address in 15 minutes); `serverWide`
// only a server-wide one of 5 in 10 minutes.
let perAddress: Site;
let serverWide: Site;

test.before(async () => {
  [perAddress, serverWide] = await Promise.all([
    startSite({}),
    startSite({
      PORTCULLIS_LIMIT_DEVICE_CODE: '5/10m',
      PORTCULLIS_LIMIT_DEVICE_CODE_ADDRESS: 'off',
    }),
  ]);
});
test.after.always(async () => {
  for (const site of [perAddress, serverWide]) {
    await site?.stack.stop();
    await site?.database.drop();
  }
});

/** A device authorization as the device starts it: its device code and the user code it shows. */
async function startDevice(site: Site) {
  const response = await fetch(`${site.stack.issuer}/device/auth`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: site.clientId, scope: 'openid' }),
  });
  return (await response.json()) as { device_code: string; user_code: string };
}

/** What the device's next poll is told (`authorization_pending` while nobody approved it). */
async function poll(site: Site, deviceCode: string): Promise<string> {
  const response = await fetch(`${site.stack.issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
      device_code: deviceCode,
      client_id: site.clientId,
    }),
  });
  return ((await response.json()) as { error?: string }).error ?? 'tokens';
}

/**
 * Enters `userCode` on the device page as a browser would: the page, then its form. Each call is
 * a browser of its own (the form's token changes with every answer), so calls may run at once.
 */
async function enter(site: Site, userCode: string) {
  const browser = new HttpBrowser(site.stack.issuer);
  const entry = await browser.follow(`${site.stack.issuer}/device`);
  const form = await entry.response.text();
  const action = new URL(formAction(form) as string, entry.url).href;
  const xsrf = inputValue(form, 'xsrf') as string;
  const response = await browser.request(action, { form: { xsrf, user_code: userCode } });
  return { status: response.status, response, page: await response.text() };
}

function wrongCode(right: string): string {
  const code = Array.from({ length: 8 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
  return code === right.replace('-', '')
    ? wrongCode(right)
    : `${code.slice(0, 4)}-${code.slice(4)}`;
}

async function lockouts(site: Site) {
  const events = await createAuditRepository(site.database.db).list({ limit: 1000 });
  return events.filter((e) => e.type === 'rate_limit.hit');
}

const WRONG = /not valid or has expired/;
const CONFIRM = /op\.deviceConfirmForm/;

// Serial, and in this order: both count against the same (loopback) address.
test.serial('a few wrong codes, then the right one: it is accepted', async (t) => {
  const device = await startDevice(perAddress);
  for (let i = 0; i < 3; i += 1) {
    const wrong = await enter(perAddress, wrongCode(device.user_code));
    t.is(wrong.status, 200);
    t.regex(wrong.page, WRONG);
  }
  const right = await enter(perAddress, device.user_code);
  t.is(right.status, 200);
  t.regex(right.page, CONFIRM, 'the confirmation page of the right code');
  t.deepEqual(await lockouts(perAddress), []);
});

test.serial(
  '150 wrong codes from one address at once: past the limit every code is refused unread, the right one too',
  async (t) => {
    const device = await startDevice(perAddress);
    const answers = await Promise.all(
      Array.from({ length: 150 }, () => enter(perAddress, wrongCode(device.user_code))),
    );
    const looked = answers.filter((a) => a.status === 200);
    const refused = answers.filter((a) => a.status === 429);
    t.is(looked.length + refused.length, 150);
    // 10 wrong codes per address in 15 minutes, 3 of them spent by the test before.
    t.true(looked.length <= 7, `${looked.length} codes were looked up`);
    t.true(looked.every((a) => WRONG.test(a.page)));

    const right = await enter(perAddress, device.user_code);
    t.is(right.status, 429, 'refused before it is tried');
    t.regex(right.page, /Too many codes tried/);
    t.notRegex(right.page, CONFIRM);
    const retryAfter = Number(right.response.headers.get('retry-after'));
    t.true(retryAfter > 0 && retryAfter <= 900);
    t.is(await poll(perAddress, device.device_code), 'authorization_pending');

    const hits = await lockouts(perAddress);
    t.is(hits.length, 1, 'one event per lockout, not one per refusal');
    t.like(hits[0], {
      actor: 'system',
      details: { limit: 'device_code', key: 'address', rule: '10/15m' },
    });
  },
);

test('the server-wide limit counts wrong codes from every address, and then refuses every code', async (t) => {
  const device = await startDevice(serverWide);
  // One address here, but its limit is off: only the server-wide one counts.
  for (let i = 0; i < 5; i += 1) {
    const wrong = await enter(serverWide, wrongCode(device.user_code));
    t.regex(wrong.page, WRONG);
  }
  const sixth = await enter(serverWide, wrongCode(device.user_code));
  t.is(sixth.status, 429);
  const right = await enter(serverWide, device.user_code);
  t.is(right.status, 429);
  t.is(await poll(serverWide, device.device_code), 'authorization_pending');
  const hits = await lockouts(serverWide);
  t.is(hits.length, 1);
  t.like(hits[0], { details: { limit: 'device_code', key: 'server', rule: '5/10m' } });
});
