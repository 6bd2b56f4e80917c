import test from 'ava';
import type Koa from 'koa';
import { afterResponse } from '../src/provider/after-response.ts';

const context = () => ({ status: 404 }) as Koa.Context;

test('acts once the inner middleware answered, with the note taken meanwhile', async (t) => {
  const seen: Array<[number, string]> = [];
  const after = afterResponse<string>((ctx, noted) => {
    seen.push([ctx.status, noted]);
  });
  const ctx = context();
  await after.middleware(ctx, async () => {
    after.note(ctx, 'first');
    after.note(ctx, 'second');
    t.deepEqual(seen, [], 'nothing before the answer');
    ctx.status = 401;
  });
  t.deepEqual(seen, [[401, 'second']], 'the answer is known; the later note wins');
});

test('a request without a note is left alone, and notes stay with their request', async (t) => {
  const seen: string[] = [];
  const after = afterResponse<string>((_ctx, noted) => {
    seen.push(noted);
  });
  const [noted, other] = [context(), context()];
  await after.middleware(other, async () => {
    after.note(noted, 'for another request');
  });
  t.deepEqual(seen, []);
  await after.middleware(noted, async () => {});
  t.deepEqual(seen, ['for another request']);
});

test('the action is awaited, and an inner failure skips it', async (t) => {
  let done = false;
  const after = afterResponse<true>(async () => {
    await new Promise((resolve) => setTimeout(resolve, 10));
    done = true;
  });
  const ctx = context();
  await after.middleware(ctx, async () => after.note(ctx, true));
  t.true(done);
  done = false;
  const failing = context();
  await t.throwsAsync(
    after.middleware(failing, async () => {
      after.note(failing, true);
      throw new Error('inner');
    }),
    { message: 'inner' },
  );
  t.false(done);
});
