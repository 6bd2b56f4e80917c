import test from 'ava';
import { createResourceServer, errorCodes, type ResourceServerOptions } from '../../src/index.ts';

const base = { issuer: 'http://localhost:3000', audience: 'http://localhost:4000' };
const introspection = { clientId: 'rs', clientSecret: 'secret' };

const rejects = test.macro({
  exec(t, options: Record<string, unknown>, key: string) {
    const error = t.throws(() =>
      createResourceServer({ ...base, ...options } as ResourceServerOptions),
    );
    t.is((error as { code?: string }).code, errorCodes.config);
    t.is((error as { key?: string }).key, key);
  },
  title: (providedTitle = '', _options, key) => `rejects ${providedTitle} (names ${key})`,
});

test('dpop without publicUrl', rejects, { dpop: {} }, 'publicUrl');
test(
  'an unknown dpop key',
  rejects,
  { publicUrl: base.audience, dpop: { require: true } },
  'dpop.require',
);
test(
  'dpop alg none',
  rejects,
  { publicUrl: base.audience, dpop: { algorithms: ['none'] } },
  'dpop.algorithms',
);
test(
  'dpop HS256',
  rejects,
  { publicUrl: base.audience, dpop: { algorithms: ['HS256'] } },
  'dpop.algorithms',
);
test(
  'a zero iat window',
  rejects,
  { publicUrl: base.audience, dpop: { iatWindowSeconds: 0 } },
  'dpop.iatWindowSeconds',
);
test(
  'a replay store without markUsed',
  rejects,
  { publicUrl: base.audience, dpop: { replayStore: {} } },
  'dpop.replayStore',
);
test(
  'both a replay store and a cache size',
  rejects,
  { publicUrl: base.audience, dpop: { replayStore: { markUsed: () => true }, replayCacheSize: 5 } },
  'dpop.replayCacheSize',
);
test(
  'dpop required not a boolean',
  rejects,
  { publicUrl: base.audience, dpop: { required: 'yes' } },
  'dpop.required',
);
test('a publicUrl with a query', rejects, { publicUrl: 'https://api.example?x=1' }, 'publicUrl');
test(
  'a publicUrl with credentials',
  rejects,
  { publicUrl: 'https://u:p@api.example' },
  'publicUrl',
);
test('a relative publicUrl', rejects, { publicUrl: '/api' }, 'publicUrl');
test('a metadataUrl that is not http(s)', rejects, { metadataUrl: 'ftp://x/y' }, 'metadataUrl');
test('a scope with a space', rejects, { scopes: ['notes read'] }, 'scopes');
test('a blank resourceName', rejects, { resourceName: ' ' }, 'resourceName');
test(
  'introspection without a client id',
  rejects,
  { introspection: { clientSecret: 's' } },
  'introspection.clientId',
);
test(
  'introspection without a secret',
  rejects,
  { introspection: { clientId: 'c' } },
  'introspection.clientSecret',
);
test(
  'an introspection secret with a newline',
  rejects,
  { introspection: { ...introspection, clientSecret: 'secret\n' } },
  'introspection.clientSecret',
);
test(
  'a cache bound over an hour',
  rejects,
  { introspection: { ...introspection, maxCacheSeconds: 3601 } },
  'introspection.maxCacheSeconds',
);
test(
  'an introspection endpoint that is not http(s)',
  rejects,
  { introspection: { ...introspection, endpoint: 'file:///x' } },
  'introspection.endpoint',
);
test(
  'an unknown introspection key',
  rejects,
  { introspection: { ...introspection, secret: 'x' } },
  'introspection.secret',
);

test('valid new options are accepted, and nothing is fetched at creation', (t) => {
  const rs = createResourceServer({
    ...base,
    publicUrl: 'https://api.example.test/v1',
    scopes: ['notes:read'],
    resourceName: 'Notes',
    introspection: { ...introspection, maxCacheSeconds: 0 },
    dpop: { required: true, iatWindowSeconds: 300, algorithms: ['ES256'], replayCacheSize: 1 },
  });
  t.is(typeof rs.metadata(), 'function');
});
