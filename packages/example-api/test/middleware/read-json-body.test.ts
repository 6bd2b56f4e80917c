import { request } from 'node:http';
import test from 'ava';
import { type ApiResponse, call } from '../helpers/api-client.ts';
import { AUDIENCE, startStack, type TestStack } from '../helpers/start-api.ts';

// Bad input to POST /notes: always a 4xx with `invalid_request`, never a 500.
let stack: TestStack;
let token: string;

test.before(async () => {
  stack = await startStack();
  token = stack.issuer.mint(AUDIENCE, { scope: 'notes:write' });
});
test.after.always(() => stack.close());

const post = (body: unknown, headers?: Record<string, string>) =>
  call(`${stack.api.url}/notes`, { method: 'POST', token, body, headers });

function assertBadInput(t: import('ava').ExecutionContext, response: ApiResponse, status: number) {
  t.is(response.status, status);
  t.like(response.body, { error: 'invalid_request' });
  t.is(typeof (response.body as { error_description?: unknown }).error_description, 'string');
}

const json = { 'content-type': 'application/json' };

const rejected = test.macro({
  async exec(t, body: unknown, headers: Record<string, string> | undefined, status: number) {
    assertBadInput(t, await post(body, headers), status);
  },
  title: (title = '', _body, _headers, status) => `${title}: ${status}`,
});

test('malformed JSON', rejected, '{"text": ', json, 400);
test('an empty body', rejected, '', json, 400);
test('a JSON array', rejected, [{ text: 'x' }], undefined, 400);
test('a JSON string', rejected, '"text"', json, 400);
test('JSON null', rejected, 'null', json, 400);
test('a missing text', rejected, { body: 'x' }, undefined, 400);
test('a numeric text', rejected, { text: 42 }, undefined, 400);
test('a null text', rejected, { text: null }, undefined, 400);
test('an empty text', rejected, { text: '' }, undefined, 400);
test('a blank text', rejected, { text: ' \n\t ' }, undefined, 400);
test('a text of 10,001 characters', rejected, { text: 'x'.repeat(10_001) }, undefined, 400);
test('a text only in __proto__', rejected, '{"__proto__": {"text": "x"}}', json, 400);
test('text/plain', rejected, '{"text":"x"}', { 'content-type': 'text/plain' }, 415);
test('no content type', rejected, new Blob(['{"text":"x"}']), undefined, 415);
test(
  'form encoding',
  rejected,
  'text=x',
  { 'content-type': 'application/x-www-form-urlencoded' },
  415,
);
test(
  'a latin1 charset',
  rejected,
  '{"text":"x"}',
  { 'content-type': 'application/json; charset=latin1' },
  415,
);
test(
  'a gzip content coding',
  rejected,
  '{"text":"x"}',
  { ...json, 'content-encoding': 'gzip' },
  415,
);
test('a body over 64 KiB', rejected, { text: 'x'.repeat(64 * 1024) }, undefined, 413);

test('invalid UTF-8: 400', async (t) => {
  const body = new Uint8Array([
    0x7b, 0x22, 0x74, 0x65, 0x78, 0x74, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d,
  ]);
  assertBadInput(t, await post(new Blob([body]), json), 400);
});

test('a text of exactly 10,000 characters is accepted', async (t) => {
  t.is((await post({ text: 'x'.repeat(10_000) })).status, 201);
});

test('characters are counted as code points: 10,000 emoji are accepted', async (t) => {
  t.is((await post({ text: '📝'.repeat(10_000) })).status, 201);
});

test('charset=utf-8 and odd casing of the media type are accepted', async (t) => {
  t.is(
    (await post('{"text":"x"}', { 'content-type': 'Application/JSON; charset=UTF-8' })).status,
    201,
  );
});

test('a body over 64 KiB without Content-Length (chunked) is cut off: 413', async (t) => {
  const response = await new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(`${stack.api.url}/notes`, {
      method: 'POST',
      headers: { ...json, authorization: `Bearer ${token}` },
    });
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.write('{"text":"');
    for (let i = 0; i < 70; i += 1) req.write('x'.repeat(1024));
    req.end('"}');
  });
  t.is(response.status, 413);
  t.like(JSON.parse(response.body), { error: 'invalid_request' });
});

test('the body is not read before authentication: an anonymous oversized POST is a 401', async (t) => {
  const response = await call(`${stack.api.url}/notes`, {
    method: 'POST',
    body: { text: 'x'.repeat(100 * 1024) },
  });
  t.is(response.status, 401);
});
