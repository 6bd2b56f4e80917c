import { setTimeout as sleep } from 'node:timers/promises';
import test from 'ava';
import { lockTransaction } from '../src/index.ts';
import { createTestDatabase, type TestDatabase } from '../src/testing/index.ts';

let database: TestDatabase;
test.before(async () => {
  database = await createTestDatabase();
});
test.after.always(async () => {
  await database?.drop();
});

test('a second transaction waits for the lock of the same name until the first ends', async (t) => {
  const order: string[] = [];
  let release: () => void = () => {};
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  let locked: () => void = () => {};
  const firstLocked = new Promise<void>((resolve) => {
    locked = resolve;
  });
  const first = database.db.transaction(async (trx) => {
    await lockTransaction(trx, 'test.lock');
    locked();
    await held;
    order.push('first ends');
  });
  await firstLocked;
  const second = database.db.transaction(async (trx) => {
    await lockTransaction(trx, 'test.lock');
    order.push('second locked');
  });
  // Another name is not held up.
  await database.db.transaction((trx) => lockTransaction(trx, 'test.other'));
  await sleep(200);
  t.deepEqual(order, []);
  release();
  await Promise.all([first, second]);
  t.deepEqual(order, ['first ends', 'second locked']);
});
