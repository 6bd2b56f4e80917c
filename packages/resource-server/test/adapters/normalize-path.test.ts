import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import test from 'ava';
import express from 'express';
import fastify from 'fastify';
import Koa from 'koa';
import * as expressRs from '../../src/express/index.ts';
import * as fastifyRs from '../../src/fastify/index.ts';
import * as koaRs from '../../src/index.ts';
import { AUDIENCE } from '../helpers/mint-token.ts';
import { type RawResponse, rawRequest } from '../helpers/raw-request.ts';

// normalizePath on each framework that routes (Koa, Express, Fastify): the same paths refused,
// with the same answer, and the same ones let through. The full list of refused paths is
// test/middleware/normalize-path.test.ts (Koa).

interface Running {
  name: string;
  url: string;
  close(): Promise<void>;
}
const apps: Running[] = [];

async function listen(
  name: string,
  listener: Parameters<typeof createServer>[1],
): Promise<Running> {
  const server = createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    name,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

test.before(async () => {
  const koa = new Koa();
  koa.use(koaRs.normalizePath({ realm: AUDIENCE }));
  koa.use((ctx) => {
    ctx.body = { reached: ctx.path };
  });
  apps.push(await listen('koa', koa.callback()));
  const app = express();
  app.use(expressRs.normalizePath({ realm: AUDIENCE }));
  app.use((req, res) => {
    res.json({ reached: req.path });
  });
  apps.push(await listen('express', app));
  const fast = fastify();
  fast.addHook('onRequest', fastifyRs.normalizePath({ realm: AUDIENCE }));
  fast.all('/*', async (request) => ({ reached: request.url.split('?', 1)[0] }));
  await fast.listen({ port: 0, host: '127.0.0.1' });
  apps.push({
    name: 'fastify',
    url: `http://127.0.0.1:${(fast.server.address() as AddressInfo).port}`,
    close: async () => {
      fast.server.closeAllConnections();
      await fast.close();
    },
  });
});
test.after.always(() => Promise.all(apps.map((app) => app.close())));

const refused = [
  '/notes/../admin',
  '/notes/./n-1',
  '/notes/%2e%2e/admin',
  '/notes/..;/admin',
  '/notes/..%2fadmin',
  '/notes%5c..%5cadmin',
  '/notes\\..\\admin',
  '//admin',
  '/notes%00',
  '/notes/%252e%252e/admin',
  '/notes/%c0%ae%c0%ae/admin',
  '/notes/%ef%bc%8e%ef%bc%8e/admin',
  '/notes/%zz',
  'http://api.example.test/notes/../admin',
];

const undecodable = new Set(['/notes/%c0%ae%c0%ae/admin', '/notes/%zz']);

const comparable = (response: RawResponse) => ({
  status: response.status,
  challenge: response.headers.get('www-authenticate'),
  cacheControl: response.headers.get('cache-control'),
  body: response.body,
});

for (const target of refused) {
  test(`refused alike: ${target}`, async (t) => {
    const answers = [];
    for (const app of apps) answers.push(comparable(await rawRequest(app.url, 'GET', target)));
    const [koa, ...others] = answers;
    t.is(koa?.status, 400);
    t.is(koa?.body?.error, 'invalid_request');
    t.regex(
      koa?.challenge ?? '',
      /^Bearer realm="[^"]+", error="invalid_request", error_description="[^"]+"$/,
    );
    for (const [index, other] of others.entries()) {
      const name = apps[index + 1]!.name;
      // Fastify refuses a path it cannot decode itself, with its own 400, before any hook.
      if (name === 'fastify' && undecodable.has(target)) t.is(other.status, 400, name);
      else t.deepEqual(other, koa, name);
    }
  });
}

test('normal paths go through, a trailing slash and the query left alone', async (t) => {
  for (const app of apps) {
    for (const target of ['/notes', '/notes/n-1', '/notes/', '/notes?next=/../admin']) {
      const response = await rawRequest(app.url, 'GET', target);
      t.is(response.status, 200, `${app.name} ${target}`);
    }
  }
});

test('normalizePath validates its options on every framework', (t) => {
  for (const normalizePath of [
    koaRs.normalizePath,
    expressRs.normalizePath,
    fastifyRs.normalizePath,
  ]) {
    t.throws(() => normalizePath({ realm: 'a "quoted" realm' }), {
      message: /normalizePath\.realm/,
    });
    t.throws(() => normalizePath({ reaml: 'x' } as never), { message: /normalizePath\.reaml/ });
  }
});
