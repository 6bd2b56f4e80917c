import test from 'ava';
import Koa, { type Middleware } from 'koa';
import { errorBoundary } from '../../src/middleware/error-boundary.ts';
import { composeChain, finishedAtOnce } from '../../src/routing/chain.ts';
import { call } from '../helpers/api-client.ts';

// A real Koa app listening on loopback, with `middleware` as its only middleware.
async function serve(t: import('ava').ExecutionContext, middleware: Middleware) {
  const app = new Koa();
  app.use(middleware);
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const { port } = server.address() as import('node:net').AddressInfo;
  return `http://127.0.0.1:${port}`;
}

test('a chain runs its middleware in order, around next, like koa-compose', async (t) => {
  const order: string[] = [];
  const chain = composeChain([
    async (_ctx, next) => {
      order.push('a in');
      await next();
      order.push('a out');
    },
    (_ctx, next) => {
      order.push('b');
      return next();
    },
  ]);
  const url = await serve(t, (ctx, next) =>
    chain(ctx, async () => {
      order.push('after the chain');
      await next();
      ctx.body = { order };
    }),
  );
  const response = await call(`${url}/`);
  t.deepEqual(response.body, { order: ['a in', 'b', 'after the chain', 'a out'] });
});

test('a chain that finishes without waiting returns the one shared resolved promise', (t) => {
  const chain = composeChain([(_ctx, next) => next(), () => undefined]);
  const result = chain({} as never, () => Promise.resolve());
  t.is(result, finishedAtOnce);
  const waiting = composeChain([async () => undefined]);
  t.not(
    waiting({} as never, () => Promise.resolve()),
    finishedAtOnce,
  );
});

test('next called twice, and a synchronous throw, become rejections', async (t) => {
  const twice = composeChain([
    async (_ctx, next) => {
      await next();
      await next();
    },
  ]);
  await t.throwsAsync(
    twice({} as never, () => Promise.resolve()),
    {
      message: 'next() called multiple times',
    },
  );
  const throwing = composeChain([
    (_ctx, next) => next(),
    () => {
      throw new Error('thrown at once');
    },
  ]);
  const result = throwing({} as never, () => Promise.resolve());
  t.true(result instanceof Promise);
  await t.throwsAsync(result, { message: 'thrown at once' });
});

test('the error boundary around a chain: a synchronous answer, an empty one, a thrown error', async (t) => {
  const url = await serve(
    t,
    errorBoundary(
      composeChain([
        (ctx, next) => {
          if (ctx.path === '/at-once') ctx.body = { answered: true };
          else if (ctx.path === '/throws') throw new Error('hidden cause');
          else if (ctx.path === '/later') return Promise.reject(new Error('hidden cause'));
          return next();
        },
      ]),
    ),
  );
  const atOnce = await call(`${url}/at-once`);
  t.is(atOnce.status, 200);
  t.deepEqual(atOnce.body, { answered: true });
  const empty = await call(`${url}/nothing`);
  t.is(empty.status, 404);
  t.like(empty.body, { error: 'not_found' });
  for (const path of ['/throws', '/later']) {
    const failed = await call(`${url}${path}`);
    t.is(failed.status, 500, path);
    t.deepEqual(failed.body, { error: 'server_error', error_description: 'internal server error' });
  }
});
