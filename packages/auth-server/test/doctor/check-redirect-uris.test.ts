import test from 'ava';
import { checkRedirectUris } from '../../src/index.ts';
import { client, withSecrets } from './fixtures.ts';

const check = (redirectUris: string[], fields = {}) =>
  checkRedirectUris([withSecrets(client({ id: 'app', redirectUris, ...fields }))]);

test('https, loopback http and reverse-domain private-use schemes are sound', (t) => {
  t.deepEqual(
    check([
      'https://app.example.com/cb',
      'http://127.0.0.1:8080/cb',
      'http://localhost/cb',
      'http://[::1]/cb',
      'com.example.app:/callback',
    ]),
    [],
  );
});

test('each bad URI is an error; the fix keeps the sound ones and moves http to https', (t) => {
  const findings = check([
    'https://app.example.com/cb',
    'http://app.example.com/legacy',
    'https://*.example.com/cb',
    'https://app.example.com/cb#top',
    'javascript:alert(1)',
    'https://user:pw@app.example.com/cb',
    '/relative',
  ]);
  t.deepEqual(
    findings.map((f) => [f.id, f.severity]),
    [
      ['redirect-uri-not-https', 'error'],
      ['redirect-uri-wildcard', 'error'],
      ['redirect-uri-fragment', 'error'],
      ['redirect-uri-invalid', 'error'],
      ['redirect-uri-invalid', 'error'],
      ['redirect-uri-invalid', 'error'],
    ],
  );
  const fix =
    'portcullis clients update app --redirect-uri https://app.example.com/cb https://app.example.com/legacy';
  t.true(findings.every((f) => f.fix === fix && f.subject.id === 'app'));
  t.regex(findings[0]?.reason ?? '', /"http:\/\/app\.example\.com\/legacy".*RFC 9700 §2\.6/);
  t.regex(findings[1]?.reason ?? '', /wildcard.*RFC 9700 §2\.1/);
  t.regex(findings[2]?.reason ?? '', /RFC 6749 §3\.1\.2/);
  t.regex(findings[3]?.reason ?? '', /javascript: scheme/);
});

test('a private-use scheme not in reverse-domain form is a warning', (t) => {
  const findings = check(['myapp:/callback']);
  t.deepEqual(
    findings.map((f) => [f.id, f.severity]),
    [['redirect-uri-custom-scheme', 'warning']],
  );
  t.regex(findings[0]?.reason ?? '', /RFC 8252 §7\.1/);
});

test('a client left with no sound URI gets a placeholder to replace; quoting where needed', (t) => {
  t.is(
    check(['https://*.example.com/cb'])[0]?.fix,
    'portcullis clients update app --redirect-uri https://app.example.com/callback',
  );
  t.is(
    check(['http://app.example.com/cb?a=1&b=2'])[0]?.fix,
    `portcullis clients update app --redirect-uri 'https://app.example.com/cb?a=1&b=2'`,
  );
});

test('disabled clients are checked too: enabling them brings their URIs back', (t) => {
  t.is(check(['http://app.example.com/cb'], { disabledAt: new Date() }).length, 1);
});
