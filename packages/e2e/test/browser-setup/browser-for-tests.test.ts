// The browser test takes its browser from `pnpm test`, and says so when it runs without it.
import test from 'ava';
import { browserForTests } from '../../src/browser-setup/browser-for-tests.ts';

test('the path `pnpm test` passed on', (t) => {
  t.is(browserForTests({ PORTCULLIS_BROWSER: '/usr/bin/chromium' }), '/usr/bin/chromium');
});

test('run without it (ava directly): an error naming `pnpm test`, never a skip', (t) => {
  const error = t.throws(() => browserForTests({}));
  t.regex(
    error?.message ?? '',
    /^PORTCULLIS_BROWSER is unset: run the browser test through `pnpm test`/,
  );
});
