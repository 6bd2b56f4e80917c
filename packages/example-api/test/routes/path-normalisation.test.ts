import { request } from 'node:http';
import test from 'ava';
import { AUDIENCE, startStack, type TestStack } from '../helpers/start-api.ts';

let stack: TestStack;
test.before(async () => {
  stack = await startStack();
});
test.after.always(() => stack.close());

// node:http sends the path as written; fetch would resolve `..` and fold `\` before sending.
function rawGet(
  path: string,
  token?: string,
): Promise<{ status: number; headers: Headers; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request(`${stack.api.url}/`, {
      path,
      headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
    });
    req.on('error', reject);
    req.on('response', async (res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of res) chunks.push(chunk as Buffer);
      const headers = new Headers();
      for (const [name, value] of Object.entries(res.headers)) {
        if (typeof value === 'string') headers.set(name, value);
      }
      const text = Buffer.concat(chunks).toString('utf8');
      resolve({
        status: res.statusCode ?? 0,
        headers,
        body: text === '' ? undefined : JSON.parse(text),
      });
    });
    req.end();
  });
}

// Each would reach /notes (notes:read) or /me (a token) from the public /healthz if some layer
// resolved it; the API refuses them all before routing.
for (const path of [
  '/healthz/../notes',
  '/healthz/..%2fnotes',
  '/healthz/%2e%2e/notes',
  '/healthz/%252e%252e/notes',
  '/healthz/..;/me',
  '/healthz\\..\\notes',
  '//notes',
  '/./notes',
  '/notes/.',
  '/me%00',
]) {
  test(`${path} is refused with 400 invalid_request, token or not`, async (t) => {
    const token = stack.issuer.mint(AUDIENCE, { scope: 'notes:read' });
    for (const response of [await rawGet(path), await rawGet(path, token)]) {
      t.is(response.status, 400);
      t.like(response.body, { error: 'invalid_request' });
      t.regex(
        response.headers.get('www-authenticate') ?? '',
        /^Bearer realm="http:\/\/localhost:4000", error="invalid_request", error_description="[^"]+"$/,
      );
    }
  });
}

test('the same paths in normal form are routed as usual', async (t) => {
  const token = stack.issuer.mint(AUDIENCE, { scope: 'notes:read' });
  t.is((await rawGet('/healthz')).status, 200);
  t.is((await rawGet('/notes', token)).status, 200);
  t.is((await rawGet('/notes?next=../me', token)).status, 200);
  t.is((await rawGet('/notes')).status, 401);
});
