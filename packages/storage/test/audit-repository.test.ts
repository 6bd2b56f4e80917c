import test from 'ava';
import { createAuditRepository } from '../src/index.ts';
import { createTestDatabase, type TestDatabase } from '../src/testing/index.ts';

let database: TestDatabase;
test.before(async () => {
  database = await createTestDatabase();
});
test.after.always(async () => {
  await database?.drop();
});
test.beforeEach(async () => {
  await database.db('audit_events').delete();
});

test.serial('record stores an event with its facts; list returns it', async (t) => {
  const audit = createAuditRepository(database.db);
  await audit.record({
    type: 'client.created',
    actor: 'cli:alice',
    clientId: 'c-1',
    details: { name: 'Billing' },
  });
  const [event, ...rest] = await audit.list();
  t.is(rest.length, 0);
  t.like(event, {
    type: 'client.created',
    actor: 'cli:alice',
    clientId: 'c-1',
    subject: null,
    address: null,
    details: { name: 'Billing' },
  });
  t.true(event?.occurredAt instanceof Date);
});

test.serial(
  'list filters by type, client and time, oldest first, and keeps the latest `limit`',
  async (t) => {
    const audit = createAuditRepository(database.db);
    for (let i = 0; i < 5; i++) {
      await audit.record({ type: 'signin.failed', actor: 'system', subject: `u-${i}` });
    }
    await audit.record({ type: 'client.deleted', actor: 'cli:bob', clientId: 'c-2' });
    t.deepEqual(
      (await audit.list({ type: 'signin.failed', limit: 2 })).map((e) => e.subject),
      ['u-3', 'u-4'],
    );
    t.deepEqual(
      (await audit.list({ clientId: 'c-2' })).map((e) => e.type),
      ['client.deleted'],
    );
    t.is((await audit.list({ since: new Date(Date.now() + 60_000) })).length, 0);
    t.is((await audit.list({ since: new Date(Date.now() - 60_000) })).length, 6);
  },
);

test.serial('afterId follows the trail: only newer events, oldest first', async (t) => {
  const audit = createAuditRepository(database.db);
  await audit.record({ type: 'key.staged', actor: 'cli:ops' });
  const [first] = await audit.list();
  await audit.record({ type: 'key.activated', actor: 'system' });
  await audit.record({ type: 'key.retired', actor: 'system' });
  const newer = await audit.list({ afterId: first?.id ?? '' });
  t.deepEqual(
    newer.map((e) => e.type),
    ['key.activated', 'key.retired'],
  );
  t.deepEqual(await audit.list({ afterId: newer[1]?.id ?? '' }), []);
});

test.serial('deleteBefore removes only older events', async (t) => {
  const audit = createAuditRepository(database.db);
  await audit.record({ type: 'user.created', actor: 'cli:ops', subject: 'u-1' });
  await database.db('audit_events').update({ occurred_at: new Date(Date.now() - 86_400_000) });
  await audit.record({ type: 'user.deleted', actor: 'cli:ops', subject: 'u-1' });
  t.is(await audit.deleteBefore(new Date(Date.now() - 3_600_000)), 1);
  t.deepEqual(
    (await audit.list()).map((e) => e.type),
    ['user.deleted'],
  );
});
