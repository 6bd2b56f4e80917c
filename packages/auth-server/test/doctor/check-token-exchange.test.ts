import type { ResourceRecord } from '@portcullis/storage';
import test from 'ava';
import { checkTokenExchange } from '../../src/index.ts';
import { client, daysAgo, withSecrets } from './fixtures.ts';

// A service that may exchange users' tokens (RFC 8693) whose policy can never work.

const ORDERS = 'https://orders.example.com';
const BILLING = 'https://billing.example.com';

const resource = (identifier: string, scopes: string[], introspectionClients: string[] = []) =>
  ({
    identifier,
    name: identifier,
    accessTokenTtl: 600,
    accessTokenFormat: 'jwt',
    introspectionClients,
    scopes: scopes.map((name) => ({ name, description: name })),
    roleGatedScopes: [],
    rolesClaim: false,
    createdAt: daysAgo(30),
  }) as ResourceRecord;

const service = (fields = {}) =>
  withSecrets(
    client({
      id: 'orders-svc',
      name: 'orders service',
      grantTypes: ['client_credentials'],
      redirectUris: [],
      scopes: ['invoices:read'],
      firstParty: true,
      mayExchangeFor: [BILLING],
      ...fields,
    }),
  );

test('a sound policy, a client without one and a disabled client: nothing', (t) => {
  const resources = [
    resource(ORDERS, ['orders:read', 'invoices:read'], ['orders-svc']),
    resource(BILLING, ['invoices:read']),
  ];
  t.deepEqual(checkTokenExchange([service()], resources), []);
  t.deepEqual(checkTokenExchange([service({ mayExchangeFor: [] })], []), []);
  t.deepEqual(checkTokenExchange([service({ disabledAt: daysAgo(1) })], []), []);
});

test('a service no resource names as introspection client: every exchange refused', (t) => {
  const findings = checkTokenExchange(
    [service()],
    [resource(ORDERS, ['invoices:read']), resource(BILLING, ['invoices:read'])],
  );
  t.deepEqual(
    findings.map((f) => [f.id, f.severity, f.subject.id, f.fix]),
    [
      [
        'token-exchange-serves-no-api',
        'warning',
        'orders-svc',
        'portcullis resources update API-IT-SERVES --introspection-client orders-svc',
      ],
    ],
  );
});

test('a target none of whose scopes a served API carries, or the client may hold', (t) => {
  const served = resource(ORDERS, ['orders:read'], ['orders-svc']);
  const findings = checkTokenExchange([service()], [served, resource(BILLING, ['invoices:read'])]);
  t.deepEqual(
    findings.map((f) => [f.id, f.severity]),
    [['token-exchange-no-common-scope', 'warning']],
  );
  t.regex(findings[0]?.reason ?? '', /invalid_scope/);
  t.is(findings[0]?.fix, `portcullis resources update ${ORDERS} --scope invoices:read=DESCRIPTION`);

  // Neither a served API's scope nor the client's: both halves of the fix.
  const [other] = checkTokenExchange(
    [service({ scopes: ['orders:read'] })],
    [served, resource(BILLING, ['invoices:pay'])],
  );
  t.is(
    other?.fix,
    `portcullis resources update ${ORDERS} --scope invoices:pay=DESCRIPTION && portcullis clients update orders-svc --scope 'orders:read invoices:pay'`,
  );
});
