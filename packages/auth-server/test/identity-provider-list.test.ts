import test from 'ava';
import { createIdentityProviderList } from '../src/registry/identity-provider-list.ts';

test('the list is read once, kept with ids and names only, and read again after a clear', async (t) => {
  let reads = 0;
  let stored = [{ id: 'p-1', name: 'GitHub', clientSecret: 'not kept' }];
  const list = createIdentityProviderList(async () => {
    reads += 1;
    return stored;
  });
  const [first, second] = await Promise.all([list.list(), list.list()]);
  t.deepEqual(first, [{ id: 'p-1', name: 'GitHub' }]);
  t.is(second, first);
  t.deepEqual(await list.list(), [{ id: 'p-1', name: 'GitHub' }]);
  t.is(reads, 1);
  stored = [];
  list.clear();
  t.deepEqual(await list.list(), []);
  t.is(reads, 2);
});

test('a read that started before a clear does not fill the list', async (t) => {
  let release: (() => void) | undefined;
  let reads = 0;
  const list = createIdentityProviderList(async () => {
    reads += 1;
    if (reads === 1) await new Promise<void>((resolve) => (release = resolve));
    return [{ id: `p-${reads}`, name: `read ${reads}` }];
  });
  const early = list.list();
  await Promise.resolve();
  list.clear();
  release?.();
  t.deepEqual(await early, [{ id: 'p-1', name: 'read 1' }]);
  // The first read ended after the clear: what it read is not kept.
  t.deepEqual(await list.list(), [{ id: 'p-2', name: 'read 2' }]);
  t.deepEqual(await list.list(), [{ id: 'p-2', name: 'read 2' }]);
  t.is(reads, 2);
});

test('a failed read is not kept', async (t) => {
  let fail = true;
  const list = createIdentityProviderList(async () => {
    if (fail) throw new Error('database unavailable');
    return [];
  });
  await t.throwsAsync(list.list(), { message: 'database unavailable' });
  fail = false;
  t.deepEqual(await list.list(), []);
});
