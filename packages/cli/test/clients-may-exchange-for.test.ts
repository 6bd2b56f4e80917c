import { writeFile } from 'node:fs/promises';
import test from 'ava';
import {
  API,
  auditOf,
  cli,
  clientRow,
  cliJson,
  createResource,
  createService,
  exampleResourceDatabase,
  failsWithOneLine,
  temporaryFolder,
} from './clients-fixtures.ts';

// `clients update --may-exchange-for` / `--no-exchange`: the operator's token-exchange policy
// (RFC 8693), shown by `clients show`, declared by `apply`, refused where it cannot apply.

const BILLING = 'https://billing.example.com';
const database = exampleResourceDatabase(async () => {
  await createResource(database, BILLING, 'Billing', 'billing:read=Read invoices');
});

const temp = temporaryFolder('portcullis-exchange-');

interface ExchangeJson {
  client_id: string;
  may_exchange_for: string[];
  changed: string[];
}

test('a first-party service is given, shown, audited and cleared', async (t) => {
  const service = await createService(database, 'orders', ['--first-party']);
  const updated = await cliJson<ExchangeJson>(database, [
    'clients',
    'update',
    'orders',
    '--may-exchange-for',
    BILLING,
    API,
  ]);
  t.deepEqual(updated.may_exchange_for, [BILLING, API]);
  t.deepEqual(updated.changed, ['may_exchange_for']);

  const shown = await cli(database, ['clients', 'show', 'orders']);
  t.regex(shown.stdout, new RegExp(`exchanges for: +${BILLING}, ${API}`));
  const json = await cliJson<ExchangeJson>(database, ['clients', 'show', 'orders']);
  t.deepEqual(json.may_exchange_for, [BILLING, API]);
  const events = await auditOf(database, service.client_id);
  t.deepEqual(events.at(-1)?.details, { changed: ['may_exchange_for'] });

  const cleared = await cliJson<ExchangeJson>(database, [
    'clients',
    'update',
    'orders',
    '--no-exchange',
  ]);
  t.deepEqual(cleared.may_exchange_for, []);
  const plain = await cli(database, ['clients', 'show', 'orders']);
  t.regex(plain.stdout, /exchanges for: +-/);
});

test('refused for a third-party, a public or an unknown resource, with nothing written', async (t) => {
  const thirdParty = await createService(database, 'partner');
  failsWithOneLine(
    t,
    await cli(database, ['clients', 'update', 'partner', '--may-exchange-for', BILLING]),
    /^portcullis: --may-exchange-for is only for first-party clients/,
  );
  t.deepEqual((await clientRow(database, thirdParty.client_id))?.may_exchange_for, []);

  await cliJson(database, [
    'clients',
    'create',
    '--name',
    'spa',
    '--public',
    '--first-party',
    '--grant',
    'authorization_code',
    '--redirect-uri',
    'http://127.0.0.1:9/cb',
  ]);
  failsWithOneLine(
    t,
    await cli(database, ['clients', 'update', 'spa', '--may-exchange-for', BILLING]),
    /^portcullis: --may-exchange-for is only for confidential clients/,
  );

  await createService(database, 'inventory', ['--first-party']);
  failsWithOneLine(
    t,
    await cli(database, [
      'clients',
      'update',
      'inventory',
      '--may-exchange-for',
      'https://nowhere.example.com',
    ]),
    /unknown resource "https:\/\/nowhere\.example\.com"/,
  );
  failsWithOneLine(
    t,
    await cli(database, [
      'clients',
      'update',
      'inventory',
      '--may-exchange-for',
      BILLING,
      '--no-exchange',
    ]),
    /cannot be used with/,
    2,
  );
});

test('refused for a client that registered itself (RFC 7591): operators register services', async (t) => {
  const registered = await createService(database, 'self-registered', ['--first-party']);
  // How a dynamic registration stores it (the registration routes are tested elsewhere).
  await database.db('clients').where({ id: registered.client_id }).update({
    registered_via: 'dynamic',
  });
  failsWithOneLine(
    t,
    await cli(database, ['clients', 'update', 'self-registered', '--may-exchange-for', BILLING]),
    /^portcullis: --may-exchange-for is not for dynamically registered clients/,
  );
  t.deepEqual((await clientRow(database, registered.client_id))?.may_exchange_for, []);
});

test('a deleted resource leaves the policies that named it', async (t) => {
  const other = 'https://reports.example.com';
  await createResource(database, other, 'Reports', 'reports:read=Read reports');
  await createService(database, 'reporter', ['--first-party']);
  await cliJson(database, ['clients', 'update', 'reporter', '--may-exchange-for', other, BILLING]);
  await cliJson(database, ['resources', 'delete', other, '--yes']);
  const json = await cliJson<ExchangeJson>(database, ['clients', 'show', 'reporter']);
  t.deepEqual(json.may_exchange_for, [BILLING]);
});

test('apply declares the policy, and a second apply changes nothing', async (t) => {
  const file = temp.file('exchange.yaml');
  const declare = (mayExchangeFor: string) =>
    writeFile(
      file,
      `clients:
  - name: gateway
    grants: [client_credentials]
    scopes: [notes:read]
    resources: [${API}]
    first_party: true
    may_exchange_for: ${mayExchangeFor}
`,
    );
  await declare(`[${BILLING}]`);
  await cliJson(database, ['apply', '-f', file]);
  const json = await cliJson<ExchangeJson>(database, ['clients', 'show', 'gateway']);
  t.deepEqual(json.may_exchange_for, [BILLING]);
  const again = await cliJson<{ changed: boolean }>(database, ['apply', '-f', file]);
  t.false(again.changed);

  await declare('[https://nowhere.example.com]');
  const refused = await cli(database, ['apply', '-f', file]);
  t.is(refused.code, 1);
  t.regex(refused.stderr, /unknown resource "https:\/\/nowhere\.example\.com"/);
  const kept = await cliJson<ExchangeJson>(database, ['clients', 'show', 'gateway']);
  t.deepEqual(kept.may_exchange_for, [BILLING]);
});
