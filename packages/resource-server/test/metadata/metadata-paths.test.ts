// RFC 9728 §3.1: for a resource identifier with a path (an MCP server at
// https://mcp.example.test/mcp), the metadata's well-known URL has that path after the
// well-known part. Every adapter serves the metadata there as well as at the plain path its
// challenges name, and nowhere else.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import test from 'ava';
import express from 'express';
import fastify from 'fastify';
import Koa from 'koa';
import * as expressRs from '../../src/express/index.ts';
import * as fastifyRs from '../../src/fastify/index.ts';
import * as fetchRs from '../../src/fetch/index.ts';
import * as koaRs from '../../src/index.ts';
import * as nodeRs from '../../src/node/index.ts';
import { ISSUER } from '../helpers/mint-token.ts';

const RESOURCE = 'https://mcp.example.test/mcp';
const options = { issuer: ISSUER, audience: RESOURCE, jwksUri: 'http://127.0.0.1:1/jwks' };
const PLAIN = '/.well-known/oauth-protected-resource';

/** Starts `handler` on 127.0.0.1 and resolves with its base URL; closed after the test. */
async function serve(
  t: import('ava').ExecutionContext,
  handler: Parameters<typeof createServer>[1],
): Promise<string> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const notFound = (res: import('node:http').ServerResponse) => {
  res.statusCode = 404;
  res.end('{}');
};

const adapters: Record<string, (t: import('ava').ExecutionContext) => Promise<string>> = {
  async koa(t) {
    const app = new Koa();
    app.use(koaRs.createResourceServer(options).metadata());
    app.use((ctx) => {
      ctx.status = 404;
    });
    return serve(t, app.callback());
  },
  async express(t) {
    const app = express();
    app.use(expressRs.createResourceServer(options).metadata());
    app.use((_req, res) => notFound(res));
    return serve(t, app);
  },
  async fastify(t) {
    const app = fastify();
    await app.register(fastifyRs.createResourceServer(options).plugin);
    await app.listen({ port: 0, host: '127.0.0.1' });
    t.teardown(() => app.close());
    return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  },
  async node(t) {
    const rs = nodeRs.createResourceServer(options);
    return serve(t, (req, res) => {
      if (!rs.metadata(req, res)) notFound(res);
    });
  },
  async fetch(t) {
    const rs = fetchRs.createResourceServer(options);
    const handle = (request: Request) =>
      rs.metadata(request) ?? new Response('{}', { status: 404 });
    return serve(t, async (req, res) => {
      const answer = handle(new Request(`http://127.0.0.1${req.url}`, { method: req.method }));
      res.writeHead(answer.status, Object.fromEntries(answer.headers));
      res.end(Buffer.from(await answer.arrayBuffer()));
    });
  },
};

for (const [name, start] of Object.entries(adapters)) {
  test(`${name}: the metadata at the plain path and at the one RFC 9728 derives, nowhere else`, async (t) => {
    const url = await start(t);
    for (const path of [PLAIN, `${PLAIN}/mcp`]) {
      const response = await fetch(`${url}${path}`);
      t.is(response.status, 200, path);
      t.is(((await response.json()) as { resource: string }).resource, RESOURCE, path);
    }
    for (const path of [`${PLAIN}/other`, `${PLAIN}/mcp/`, `${PLAIN}/MCP`]) {
      t.is((await fetch(`${url}${path}`)).status, 404, path);
    }
  });
}

test('an audience without a path, or not an http(s) URL, has the plain path only', async (t) => {
  for (const audience of [
    'https://api.example.test',
    'https://api.example.test/',
    'urn:example:api',
  ]) {
    const rs = fetchRs.createResourceServer({ ...options, audience });
    const at = (path: string) => rs.metadata(new Request(`http://127.0.0.1${path}`));
    t.is(at(PLAIN)?.status, 200, audience);
    t.is(at(`${PLAIN}/`), undefined, audience);
    t.is(at(`${PLAIN}/api`), undefined, audience);
  }
});
