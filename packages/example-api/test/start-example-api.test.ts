import { request } from 'node:http';
import test from 'ava';
import { createExampleApi, startExampleApi } from '../src/index.ts';
import { call } from './helpers/api-client.ts';
import { AUDIENCE } from './helpers/start-api.ts';
import { startTestIssuer } from './helpers/test-issuer.ts';

test('startExampleApi listens on 127.0.0.1 by default and reports the actual port', async (t) => {
  const api = await startExampleApi({
    issuer: 'http://localhost:3000',
    audience: AUDIENCE,
    port: 0,
  });
  try {
    t.regex(api.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    t.is((await call(`${api.url}/healthz`)).status, 200);
  } finally {
    await api.close();
  }
});

test('close() lets an in-flight request finish, then refuses connections', async (t) => {
  const issuer = await startTestIssuer();
  const api = await startExampleApi({ issuer: issuer.url, audience: AUDIENCE, port: 0 });
  try {
    const token = issuer.mint(AUDIENCE);
    let closed: Promise<void> | undefined;
    const response = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(`${api.url}/notes`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          expect: '100-continue',
        },
      });
      // The server has the request (it answered 100 Continue): close, then send the body.
      req.on('continue', () => {
        closed = api.close();
        req.end('{"text":"in flight"}');
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
      req.flushHeaders();
    });
    t.is(response.status, 201);
    t.like(JSON.parse(response.body), { text: 'in flight' });
    await closed;
    await t.throwsAsync(fetch(`${api.url}/healthz`));
  } finally {
    await issuer.close();
  }
});

test('startExampleApi rejects a bad port, and a taken port', async (t) => {
  const options = { issuer: 'http://localhost:3000', audience: AUDIENCE };
  await t.throwsAsync(startExampleApi({ ...options, port: 70_000 }), { instanceOf: TypeError });
  const api = await startExampleApi({ ...options, port: 0 });
  try {
    const port = Number(new URL(api.url).port);
    await t.throwsAsync(startExampleApi({ ...options, port }), { code: 'EADDRINUSE' });
  } finally {
    await api.close();
  }
});

test('createExampleApi validates its options at creation', (t) => {
  const error = t.throws(() =>
    createExampleApi({
      issuer: 'http://localhost:3000',
      audience: AUDIENCE,
      algorithms: ['HS256'],
    }),
  );
  t.is((error as { code?: string }).code, 'ERR_RS_CONFIG');
  t.throws(() => createExampleApi({ issuer: 'x', audience: AUDIENCE, port: 1 } as never), {
    message: /unknown option "port"/,
  });
});
