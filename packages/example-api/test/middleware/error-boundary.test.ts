import test from 'ava';
import Koa from 'koa';
import { errorBoundary } from '../../src/middleware/error-boundary.ts';
import { call } from '../helpers/api-client.ts';
import { startStack, type TestStack } from '../helpers/start-api.ts';

let stack: TestStack;
test.before(async () => {
  stack = await startStack();
});
test.after.always(() => stack.close());

test('an unknown route: 404 JSON', async (t) => {
  for (const path of ['/nothing', '/notes/a/b', '/healthz/x', '/']) {
    const response = await call(`${stack.api.url}${path}`);
    t.is(response.status, 404, path);
    t.like(response.body, { error: 'not_found' });
  }
});

test('a known route with another method: 405 JSON with Allow', async (t) => {
  const response = await call(`${stack.api.url}/notes`, { method: 'PUT' });
  t.is(response.status, 405);
  t.like(response.body, { error: 'method_not_allowed' });
  t.regex(response.headers.get('allow') ?? '', /GET/);
  t.regex(response.headers.get('allow') ?? '', /POST/);
});

test('an unexpected error: 500 {"error":"server_error"} without the stack, and logged', async (t) => {
  const app = new Koa();
  const logged: unknown[] = [];
  app.on('error', (error) => logged.push(error));
  app.use(errorBoundary());
  app.use((ctx) => {
    ctx.set('X-Secret', 'leak');
    throw new Error('database password is hunter2');
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  try {
    const { port } = server.address() as import('node:net').AddressInfo;
    const response = await call(`http://127.0.0.1:${port}/`);
    t.is(response.status, 500);
    t.deepEqual(response.body, {
      error: 'server_error',
      error_description: 'internal server error',
    });
    t.is(response.headers.get('x-secret'), null);
    t.is((logged[0] as Error).message, 'database password is hunter2');
  } finally {
    server.close();
  }
});
