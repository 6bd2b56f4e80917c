import test from 'ava';
import { RequestLocal } from '../src/request-locals.ts';

test('a local joins the store of the request it is set in, and a nested value stays nested', async (t) => {
  const scope = new RequestLocal<string>();
  const page = new RequestLocal<string>();
  t.is(scope.get(), undefined, 'nothing outside a request');
  await scope.run('request 1', async () => {
    page.run('en', () => undefined);
    // Set where the request started: there for the rest of it, awaits included.
    await null;
    t.is(page.get(), 'en');
    t.is(scope.get(), 'request 1');
    await page.run('fr', async () => {
      await null;
      t.is(page.get(), 'fr', 'a value of its own within the nested run');
      t.is(scope.get(), 'request 1', 'with the values around it');
    });
    t.is(page.get(), 'en', 'and the request keeps its own after it');
  });
  t.is(page.get(), undefined, 'nothing left outside');
});

test('two requests never see each other’s values', async (t) => {
  const scope = new RequestLocal<string>();
  const reads = new RequestLocal<Map<string, number>>();
  const serve = (id: string) =>
    scope.run(id, () =>
      reads.run(new Map(), async () => {
        reads.get()?.set('n', id.length);
        await new Promise((resolve) => setTimeout(resolve, 5));
        return [scope.get(), reads.get()?.get('n'), reads.get()?.size];
      }),
    );
  t.deepEqual(await Promise.all([serve('a'), serve('bb')]), [
    ['a', 1, 1],
    ['bb', 2, 1],
  ]);
});
