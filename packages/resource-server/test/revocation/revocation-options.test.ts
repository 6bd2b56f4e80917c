import test from 'ava';
import { createResourceServer, errorCodes, type ResourceServerOptions } from '../../src/index.ts';

const base = { issuer: 'http://127.0.0.1:9', audience: 'http://localhost:4000' };
const client = { clientId: 'notes-api', clientSecret: 's3cret' };

const rejects = test.macro({
  exec(t, options: Record<string, unknown>, key: string) {
    const error = t.throws(() =>
      createResourceServer({ ...base, ...options } as ResourceServerOptions),
    );
    t.is((error as { code?: string }).code, errorCodes.config);
    t.is((error as { key?: string }).key, key);
  },
  title: (providedTitle = '', _options, key) =>
    `revocationFeed: rejects ${providedTitle} (names ${key})`,
});

test('true without introspection', rejects, { revocationFeed: true }, 'revocationFeed.clientId');
test(
  'a client id without a secret',
  rejects,
  { revocationFeed: { clientId: 'x' } },
  'revocationFeed.clientSecret',
);
test(
  'a grace over an hour',
  rejects,
  { revocationFeed: { ...client, graceSeconds: 3601 } },
  'revocationFeed.graceSeconds',
);
test(
  'a negative grace',
  rejects,
  { revocationFeed: { ...client, graceSeconds: -1 } },
  'revocationFeed.graceSeconds',
);
test(
  'a cap under 100',
  rejects,
  { revocationFeed: { ...client, maxEntries: 99 } },
  'revocationFeed.maxEntries',
);
test(
  'a wait over 30 s',
  rejects,
  { revocationFeed: { ...client, waitSeconds: 31 } },
  'revocationFeed.waitSeconds',
);
test(
  'a non-http endpoint',
  rejects,
  { revocationFeed: { ...client, endpoint: 'file:///feed' } },
  'revocationFeed.endpoint',
);
test(
  'an unknown key',
  rejects,
  { revocationFeed: { ...client, grace: 5 } },
  'revocationFeed.grace',
);
test(
  'a newline in the secret',
  rejects,
  { revocationFeed: { clientId: 'x', clientSecret: 'a\nb' } },
  'revocationFeed.clientSecret',
);

test('true follows the feed as the introspection client; close() stops it', async (t) => {
  const rs = createResourceServer({
    ...base,
    introspection: client,
    revocationFeed: true,
  });
  // Nothing answers at the issuer: not following, so tokens would be answered 503.
  t.like(rs.revocationFeed(), { entries: 0, cursor: undefined, status: 'unavailable' });
  await rs.close();
  const plain = createResourceServer(base);
  t.is(plain.revocationFeed(), undefined);
  await plain.close();
});
