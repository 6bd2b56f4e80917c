import { Writable } from 'node:stream';
import test from 'ava';
import { prettyLogLine, prettyLogStream } from '../src/pretty-log.ts';

const line = (fields: Record<string, unknown>) =>
  JSON.stringify({
    level: 'info',
    time: '2025-01-01T12:34:56.789Z',
    pid: 1,
    hostname: 'h',
    ...fields,
  });

test('an access line reads as the request: method, path, status, OAuth error, duration', (t) => {
  t.is(
    prettyLogLine(
      line({
        request_id: '0f8e5a3c-1111-2222-3333-444455556666',
        method: 'POST',
        route: 'token',
        path: '/token',
        status: 400,
        duration_ms: 3.412,
        address: '127.0.0.1',
        client_id: 'svc_1',
        error: 'invalid_grant',
        error_description: 'grant request is invalid',
        error_detail: 'authorization code not found',
        message: 'request',
      }),
    ),
    '12:34:56.789 [0f8e5a3c] POST /token 400 invalid_grant: grant request is invalid (authorization code not found) 3.412 ms client_id=svc_1',
  );
  t.is(
    prettyLogLine(
      line({ method: 'GET', path: '/jwks', status: 200, duration_ms: 1, message: 'request' }),
    ),
    '12:34:56.789 GET /jwks 200 1 ms',
  );
});

test('other lines: the level when not info, the message, then the fields', (t) => {
  t.is(
    prettyLogLine(
      line({
        level: 'warn',
        error: 'Error: connection lost',
        message: 'could not refresh the signing keys',
      }),
    ),
    '12:34:56.789 WARN could not refresh the signing keys error="Error: connection lost"',
  );
  t.is(
    prettyLogLine(line({ signing: ['kid-1'], message: 'signing keys changed' })),
    '12:34:56.789 signing keys changed signing=["kid-1"]',
  );
  t.is(prettyLogLine('not json'), 'not json');
});

test('the stream writes one readable line per JSON line, whatever the chunks', async (t) => {
  let out = '';
  const target = new Writable({
    write(chunk, _encoding, done) {
      out += chunk.toString();
      done();
    },
  });
  const stream = prettyLogStream(target);
  const text = `${line({ message: 'one' })}\n${line({ message: 'two' })}\n`;
  stream.write(text.slice(0, 30));
  stream.write(text.slice(30));
  await new Promise<void>((resolve) => stream.end(resolve));
  t.is(out, '12:34:56.789 one\n12:34:56.789 two\n', 'no colour off a terminal');
});
