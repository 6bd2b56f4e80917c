import test from 'ava';
import {
  createResourceServer,
  errorCodes,
  type ResourceServerOptions,
  requireScopes,
} from '../../src/index.ts';
import { startIssuer } from '../helpers/start-issuer.ts';

const base = { issuer: 'http://localhost:3000', audience: 'http://localhost:4000' };

const rejects = test.macro({
  exec(t, options: Record<string, unknown>, key: string) {
    const error = t.throws(() =>
      createResourceServer({ ...base, ...options } as ResourceServerOptions),
    );
    t.is((error as { code?: string }).code, errorCodes.config);
    t.is((error as { key?: string }).key, key);
    t.true(error?.message.includes(`"${key}"`));
  },
  title: (providedTitle = '', _options, key) => `rejects ${providedTitle} (names ${key})`,
});

test('alg none', rejects, { algorithms: ['none'] }, 'algorithms');
test('HS256', rejects, { algorithms: ['ES256', 'HS256'] }, 'algorithms');
test('an unknown algorithm', rejects, { algorithms: ['ES257'] }, 'algorithms');
test('an empty algorithm list', rejects, { algorithms: [] }, 'algorithms');
test(
  'a clock tolerance over 60 s',
  rejects,
  { clockToleranceSeconds: 61 },
  'clockToleranceSeconds',
);
test('a negative clock tolerance', rejects, { clockToleranceSeconds: -1 }, 'clockToleranceSeconds');
test('a missing issuer', rejects, { issuer: undefined }, 'issuer');
test('a relative issuer', rejects, { issuer: 'localhost:3000' }, 'issuer');
test('an issuer with a query', rejects, { issuer: 'https://as.example?x=1' }, 'issuer');
test('a missing audience', rejects, { audience: '' }, 'audience');
test('a non-http jwksUri', rejects, { jwksUri: 'file:///etc/jwks.json' }, 'jwksUri');
test('an unknown option', rejects, { audiences: ['x'] }, 'audiences');
test('an unknown jwks option', rejects, { jwks: { cooldown: 5 } }, 'jwks.cooldown');
test('a JWKS cooldown under 1 s', rejects, { jwks: { cooldownMs: 10 } }, 'jwks.cooldownMs');
test('a non-integer timeout', rejects, { jwks: { timeoutMs: 1.5 } }, 'jwks.timeoutMs');
test('a zero maxTokenLength', rejects, { maxTokenLength: 0 }, 'maxTokenLength');
test('a realm with a quote', rejects, { realm: 'api"evil' }, 'realm');
test('an audience unusable as realm', rejects, { audience: 'urn:"x"' }, 'realm');

test('authenticate() rejects unknown and mistyped options', (t) => {
  const rs = createResourceServer(base);
  const unknown = t.throws(() => rs.authenticate({ optinal: true } as never));
  t.is((unknown as { code?: string }).code, errorCodes.config);
  const mistyped = t.throws(() => rs.authenticate({ optional: 'yes' } as never));
  t.is((mistyped as { key?: string }).key, 'authenticate.optional');
});

test('requireScopes() rejects no scope and malformed scope names', (t) => {
  for (const scopes of [[], [''], ['notes:read notes:write'], ['say"hi'], [42]]) {
    const error = t.throws(() => requireScopes(...(scopes as string[])));
    t.is((error as { code?: string }).code, errorCodes.config);
  }
});

test('creating a resource server fetches nothing', async (t) => {
  const issuer = await startIssuer();
  try {
    const rs = createResourceServer({ issuer: issuer.url, audience: 'http://localhost:4000' });
    rs.authenticate();
    createResourceServer({ ...base, jwksUri: issuer.jwksUri });
    t.is(issuer.hits.size, 0);
  } finally {
    await issuer.close();
  }
});
