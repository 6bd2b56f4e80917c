import test, { type ExecutionContext } from 'ava';
import { type Change, listenForChanges, notifyChange } from '../src/index.ts';
import { createTestDatabase, type TestDatabase } from '../src/testing/index.ts';

let database: TestDatabase;
test.before(async () => {
  database = await createTestDatabase();
});
test.after.always(async () => {
  await database?.drop();
});

function nextChange(received: Change[], count: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const deadline = setTimeout(() => reject(new Error('no notification arrived')), 5000);
    const poll = setInterval(() => {
      if (received.length >= count) {
        clearInterval(poll);
        clearTimeout(deadline);
        resolve();
      }
    }, 5);
  });
}

/** Starts a listener that collects changes; resolves once it is connected. */
async function collect(t: ExecutionContext, received: Change[]): Promise<void> {
  await new Promise<void>((resolve) => {
    const listener = listenForChanges(database.url, {
      onChange: (change) => received.push(change),
      onConnected: resolve,
    });
    t.teardown(() => listener.close());
  });
}

test.serial('a committed change reaches the listener; a rolled-back one never does', async (t) => {
  const received: Change[] = [];
  await collect(t, received);

  await database.db
    .transaction(async (trx) => {
      await notifyChange(trx, { kind: 'client', id: 'rolled-back' });
      throw new Error('abort');
    })
    .catch(() => {});
  await database.db.transaction(async (trx) => {
    await notifyChange(trx, { kind: 'client', id: 'c-1' });
  });
  await notifyChange(database.db, { kind: 'resource', id: 'https://api.example' });
  await nextChange(received, 2);
  t.deepEqual(received, [
    { kind: 'client', id: 'c-1' },
    { kind: 'resource', id: 'https://api.example' },
  ]);
});

test.serial('payloads that are not changes are ignored', async (t) => {
  const received: Change[] = [];
  await collect(t, received);
  await database.db.raw(`select pg_notify('portcullis_changes', 'not json')`);
  await database.db.raw(`select pg_notify('portcullis_changes', '{"kind":"evil","id":"x"}')`);
  await notifyChange(database.db, { kind: 'key', id: '*' });
  await nextChange(received, 1);
  t.deepEqual(received, [{ kind: 'key', id: '*' }]);
});
