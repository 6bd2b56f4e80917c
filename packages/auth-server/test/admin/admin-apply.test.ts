import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import { adminClient, adminFetch, startAdminServer } from './admin-fixtures.ts';

let database: TestDatabase;
let api: string;
let issuer: string;
let close: () => Promise<void>;
let writer: Awaited<ReturnType<typeof adminClient>>;
let reader: Awaited<ReturnType<typeof adminClient>>;

test.before(async () => {
  database = await createTestDatabase();
  const started = await startAdminServer(database);
  ({ api } = started);
  issuer = started.url;
  close = () => started.server.close();
  writer = await adminClient(database, issuer, ['admin:read', 'admin:write']);
  reader = await adminClient(database, issuer, ['admin:read']);
});
test.after.always(async () => {
  await close?.();
  await database?.drop();
});

const declaration = {
  resources: [
    {
      identifier: 'https://notes.example.test',
      name: 'Notes',
      scopes: [{ name: 'notes:read', description: 'Read your notes' }],
    },
  ],
  clients: [
    {
      name: 'notes-worker',
      grants: ['client_credentials'],
      resources: ['https://notes.example.test'],
      scopes: ['notes:read'],
    },
  ],
};

test.serial(
  'plan (admin:read, writes nothing), apply (secrets once), apply again (unchanged), then prune only what the plan showed',
  async (t) => {
    const plan = await adminFetch(api, '/apply/plan', {
      token: await reader.token(),
      method: 'POST',
      body: { declaration },
    });
    t.is(plan.response.status, 200);
    t.false(plan.json.applied);
    t.true(plan.json.changed);
    t.is(plan.json.summary.create, 2);
    const none = await adminFetch(api, '/resources', { token: await reader.token() });
    t.false(
      none.json.items.some((r: { name: string }) => r.name === 'Notes'),
      'nothing written',
    );

    const token = await writer.token();
    const applied = await adminFetch(api, '/apply', {
      token,
      method: 'POST',
      body: { declaration },
    });
    t.is(applied.response.status, 200);
    t.true(applied.json.applied);
    t.regex(applied.json.secrets['notes-worker'], /^.{40,}$/);
    const again = await adminFetch(api, '/apply', { token, method: 'POST', body: { declaration } });
    t.false(again.json.changed);
    t.deepEqual(again.json.secrets, {});

    // Pruning: the admin clients are not in the file, so a plan lists them for deletion; an apply
    // that confirms only the worker's resource... is refused, then one with the plan's list works.
    const smaller = { resources: declaration.resources, clients: [] };
    const prunePlan = await adminFetch(api, '/apply/plan', {
      token,
      method: 'POST',
      body: { declaration: smaller, prune: true },
    });
    t.true(prunePlan.json.deletions.length >= 1);
    const unconfirmed = await adminFetch(api, '/apply', {
      token,
      method: 'POST',
      body: { declaration: smaller, prune: true },
    });
    t.is(unconfirmed.response.status, 400);
    t.is(unconfirmed.json.errors[0].pointer, '/confirmed_deletions');
    const partial = await adminFetch(api, '/apply', {
      token,
      method: 'POST',
      body: { declaration: smaller, prune: true, confirmed_deletions: [] },
    });
    t.is(partial.response.status, 409);
    t.is(partial.json.type, 'urn:portcullis:problem:conflict');
  },
);

test.serial(
  "a declaration's problems: 400 with one pointer each, nothing applied; identity providers left to the CLI",
  async (t) => {
    const token = await writer.token();
    const broken = await adminFetch(api, '/apply', {
      token,
      method: 'POST',
      body: {
        declaration: {
          clients: [
            { name: 'ok', grants: ['client_credentials'] },
            { name: 'bad', grants: ['authorization_code'], redirect_uris: ['javascript:x'] },
          ],
        },
      },
    });
    t.is(broken.response.status, 400);
    t.is(broken.json.type, 'urn:portcullis:problem:invalid-input');
    t.true(
      broken.json.errors.some((e: { pointer: string }) =>
        e.pointer.startsWith('/declaration/clients/1'),
      ),
    );
    const list = await adminFetch(api, '/clients', { token });
    t.false(
      list.json.items.some((c: { name: string }) => c.name === 'ok'),
      'nothing applied',
    );
    const idp = await adminFetch(api, '/apply/plan', {
      token,
      method: 'POST',
      body: {
        declaration: {
          identity_providers: [
            {
              name: 'Acme',
              kind: 'oidc',
              issuer: 'https://idp.example.test',
              client_id: 'x',
              client_secret_env: 'PORTCULLIS_KEY_ENCRYPTION_KEY',
            },
          ],
        },
      },
    });
    t.is(idp.response.status, 400);
    t.is(idp.json.errors[0].pointer, '/declaration/identity_providers');
    const notObject = await adminFetch(api, '/apply', {
      token,
      method: 'POST',
      body: { declaration: [] },
    });
    t.is(notObject.response.status, 400);
    const readOnly = await adminFetch(api, '/apply', {
      token: await reader.token(),
      method: 'POST',
      body: { declaration },
    });
    t.is(readOnly.response.status, 403);
  },
);
