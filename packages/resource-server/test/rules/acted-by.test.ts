import test from 'ava';
import { actedBy, allOf, and, errorCodes, not } from '../../src/index.ts';
import { assertInsufficientScope } from '../helpers/assertions.ts';
import { generateTestKey, type TestKey } from '../helpers/keys.ts';
import { mintToken } from '../helpers/mint-token.ts';
import { assertForbidden, assertReached } from '../helpers/rule-assertions.ts';
import { send } from '../helpers/send.ts';
import { startIssuer, type TestIssuer } from '../helpers/start-issuer.ts';
import { type RulesApp, startRulesApp } from '../helpers/start-rules-app.ts';

// actedBy(...): the token's current actor (RFC 8693 delegation) is one of the services named.

let key: TestKey;
let issuer: TestIssuer;
let app: RulesApp;

test.before(async () => {
  key = await generateTestKey('key-1');
  issuer = await startIssuer([key.publicJwk]);
  app = await startRulesApp(issuer.jwksUri, {
    '/by-orders': { rule: actedBy('orders-service') },
    '/by-either': { rule: actedBy('orders-service', 'reports-service') },
    '/pay': { rule: and(allOf('invoices:pay'), actedBy('orders-service')) },
    '/not-by-reports': { rule: not(actedBy('reports-service')) },
  });
});
test.after.always(async () => {
  await app?.close();
  await issuer?.close();
});

const call = async (path: string, claims: Record<string, unknown>) =>
  send('GET', `${app.url}${path}`, `Bearer ${await mintToken(key, { claims })}`);
const byOrders = { act: { sub: 'orders-service' } };

test('allows the named current actor, one of several', async (t) => {
  assertReached(t, await call('/by-orders', byOrders));
  assertReached(t, await call('/by-either', { act: { sub: 'reports-service' } }));
});

test("refuses the user's own token, another actor, and a named actor deeper in the chain", async (t) => {
  assertForbidden(t, await call('/by-orders', {}));
  assertForbidden(t, await call('/by-orders', { act: { sub: 'reports-service' } }));
  assertForbidden(
    t,
    await call('/by-orders', { act: { sub: 'reports-service', act: { sub: 'orders-service' } } }),
  );
});

test('composes: scopes first, and not()', async (t) => {
  assertInsufficientScope(t, await call('/pay', byOrders), 'invoices:pay');
  assertReached(t, await call('/pay', { ...byOrders, scope: 'invoices:pay' }));
  assertReached(t, await call('/not-by-reports', {}));
  assertReached(t, await call('/not-by-reports', byOrders));
  assertForbidden(t, await call('/not-by-reports', { act: { sub: 'reports-service' } }));
});

test('refused at start-up without an actor, or with an empty one', (t) => {
  for (const build of [() => actedBy(), () => actedBy(''), () => actedBy(42 as never)]) {
    const error = t.throws(build) as Error & { code?: string; key?: string };
    t.is(error.code, errorCodes.config);
    t.is(error.key, 'actedBy');
  }
});
