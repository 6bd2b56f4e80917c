import test from 'ava';
import { consentPage } from '../src/views/consent-page.ts';
import { faviconIco } from '../src/views/favicon.ts';
import { contentSecurityPolicy, PAGE_HEADERS } from '../src/views/html.ts';
import { verbatim } from '../src/views/i18n.ts';
import { loginPage } from '../src/views/login-page.ts';

const client = { name: verbatim('Notes Viewer') };

test('the login page: focus on the username, on the password after a failed attempt', (t) => {
  const first = loginPage({ action: '/a', csrf: 'c', client });
  t.regex(first, /<input id="username"[^>]* autofocus[^>]*>/);
  t.notRegex(first, /<input id="password"[^>]* autofocus/);

  const retry = loginPage({
    action: '/a',
    csrf: 'c',
    client,
    username: 'alice',
    error: verbatim('No.'),
  });
  t.notRegex(retry, /<input id="username"[^>]* autofocus/);
  t.regex(retry, /<input id="password"[^>]* autofocus[^>]*aria-describedby="login-error"/);
  t.regex(retry, /<p class="error" id="login-error" role="alert">No\.<\/p>/);

  // Nothing typed in the username: that is where to start again.
  const empty = loginPage({
    action: '/a',
    csrf: 'c',
    client,
    username: '',
    error: verbatim('No.'),
  });
  t.regex(empty, /<input id="username"[^>]* autofocus/);
});

test('the pages allow no script; a loopback http logo origin is added to img-src, nothing else', (t) => {
  const policy = PAGE_HEADERS['content-security-policy'] ?? '';
  t.regex(policy, /default-src 'none'/);
  t.notRegex(policy, /script-src/);
  t.is(contentSecurityPolicy(), policy);
  t.regex(
    contentSecurityPolicy('http://127.0.0.1:5000'),
    /img-src 'self' https: data: http:\/\/127\.0\.0\.1:5000;/,
  );
  t.regex(contentSecurityPolicy('http://localhost:8080'), /data: http:\/\/localhost:8080;/);
  t.regex(contentSecurityPolicy('http://[::1]:8080'), /data: http:\/\/\[::1\]:8080;/);
  for (const refused of [
    'http://evil.example',
    "http://127.0.0.1:5000; script-src 'unsafe-inline'",
    'https://127.0.0.1:5000',
    'http://localhost.evil.example',
  ]) {
    t.is(contentSecurityPolicy(refused), policy, refused);
  }
});

test('the consent page puts the logo after the heading, with an empty alt', (t) => {
  const page = consentPage({
    action: '/a',
    csrf: 'c',
    client: { ...client, logo: 'https://viewer.example/logo.png' },
    username: 'alice',
    scopes: [],
  });
  t.regex(page, /<\/h1>\s*<img src="https:\/\/viewer\.example\/logo\.png" alt="">/);
});

test('the favicon is an ICO holding one 32x32 PNG', (t) => {
  const ico = faviconIco();
  t.deepEqual([...ico.subarray(0, 6)], [0, 0, 1, 0, 1, 0]);
  t.deepEqual([ico[6], ico[7]], [32, 32]);
  const png = ico.subarray(ico.readUInt32LE(18));
  t.is(png.length, ico.readUInt32LE(14));
  t.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  t.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [32, 32]);
});
