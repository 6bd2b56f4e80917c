import test from 'ava';
import type Koa from 'koa';
import { type AnswerStep, afterAnswer, afterResponse } from '../src/provider/after-response.ts';

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

test('afterAnswer runs its steps as nested middleware would: the last first, each awaited, a failure stopping the rest', async (t) => {
  const seen: string[] = [];
  const step =
    (name: string, wait = false): AnswerStep =>
    (ctx) => {
      seen.push(`${name}:${ctx.status}`);
      ctx.status += 1;
      return wait ? new Promise((resolve) => setTimeout(resolve, 5)) : undefined;
    };
  const ctx = context();
  await afterAnswer(
    step('outer'),
    step('middle', true),
    step('inner'),
  )(ctx, async () => {
    t.deepEqual(seen, [], 'nothing before the answer');
    ctx.status = 200;
  });
  t.deepEqual(seen, ['inner:200', 'middle:201', 'outer:202']);

  seen.length = 0;
  const failing: AnswerStep = () => Promise.reject(new Error('step'));
  await t.throwsAsync(
    afterAnswer(step('outer'), failing, step('inner'))(context(), async () => {}),
    {
      message: 'step',
    },
  );
  t.deepEqual(seen, ['inner:404'], 'the step before the failing one never ran');

  seen.length = 0;
  await t.throwsAsync(
    afterAnswer(step('only'))(context(), async () => {
      throw new Error('inner');
    }),
    { message: 'inner' },
  );
  t.deepEqual(seen, [], 'an inner failure skips every step');
});
