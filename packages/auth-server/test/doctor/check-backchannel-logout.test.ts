import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { freePort } from '@portcullis/storage/testing';
import test from 'ava';
import { checkBackchannelLogout, reachLogoutReceiver } from '../../src/index.ts';
import { client, withSecrets } from './fixtures.ts';

const app = (backchannelLogoutUri: string | null, logoutReceiver?: { error?: string }) => ({
  ...withSecrets(client({ id: 'app', backchannelLogoutUri })),
  ...(logoutReceiver ? { logoutReceiver } : {}),
});

test('an https receiver that answered, or no logout URI at all, is sound', (t) => {
  t.deepEqual(
    checkBackchannelLogout([app('https://app.example.com/logout', {}), app(null)], 'production'),
    [],
  );
});

test('loopback http is a warning in production only, fixed by moving it to https', (t) => {
  const uri = 'http://127.0.0.1:8080/logout';
  t.deepEqual(checkBackchannelLogout([app(uri, {})], 'development'), []);
  const [finding] = checkBackchannelLogout([app(uri, {})], 'production');
  t.is(finding?.id, 'backchannel-logout-uri-not-https');
  t.is(finding?.severity, 'warning');
  t.is(
    finding?.fix,
    'portcullis clients update app --backchannel-logout-uri https://127.0.0.1:8080/logout',
  );
});

test('a stored URI create would refuse is an error; the fix removes it', (t) => {
  for (const uri of [
    'http://app.example.com/logout',
    'https://app.example.com/logout#x',
    '/logout',
  ]) {
    const [finding] = checkBackchannelLogout([app(uri)], 'development');
    t.is(finding?.id, 'backchannel-logout-uri-invalid', uri);
    t.is(finding?.severity, 'error');
    t.is(finding?.fix, 'portcullis clients update app --no-backchannel-logout-uri');
  }
});

test('a receiver that did not answer is a warning saying why', (t) => {
  const [finding] = checkBackchannelLogout(
    [app('https://app.example.com/logout', { error: 'ECONNREFUSED' })],
    'production',
  );
  t.is(finding?.id, 'backchannel-logout-unreachable');
  t.is(finding?.severity, 'warning');
  t.regex(
    finding?.reason ?? '',
    /"https:\/\/app\.example\.com\/logout" did not answer a POST from here \(ECONNREFUSED\)/,
  );
  t.is(finding?.fix, null);
});

test('reachLogoutReceiver: any HTTP answer is an answer; a closed port is not', async (t) => {
  const posts: string[] = [];
  const server = http.createServer((req, res) => {
    posts.push(`${req.method} ${req.headers['content-type']}`);
    res.writeHead(400).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    t.is(await reachLogoutReceiver(`http://127.0.0.1:${port}/logout`), undefined);
    t.deepEqual(posts, ['POST application/x-www-form-urlencoded']);
    t.is(
      await reachLogoutReceiver(`http://127.0.0.1:${await freePort()}/logout`),
      'fetch failed: ECONNREFUSED',
    );
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});
