// The same resource server on each adapter of @portcullis/resource-server, for
// resource-server-adapters.test.ts: `GET /read` needs `notes:read`, `GET /write` needs
// `notes:write`, and each answers `{ sub }`.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as koaRs from '@portcullis/resource-server';
import * as expressRs from '@portcullis/resource-server/express';
import * as fastifyRs from '@portcullis/resource-server/fastify';
import * as fetchRs from '@portcullis/resource-server/fetch';
import * as nodeRs from '@portcullis/resource-server/node';
import express from 'express';
import fastify from 'fastify';
import Koa, { type Middleware } from 'koa';

/** One adapter's server, listening on 127.0.0.1. */
export interface AdapterApi {
  readonly name: string;
  readonly url: string;
  close(): Promise<void>;
}

// `rs`: the adapter's resource server, closed with the server (it may follow the revocation feed).
async function listen(
  name: string,
  server: Server,
  rs: { close(): Promise<void> },
): Promise<AdapterApi> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    name,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
      await rs.close();
    },
  };
}

function koaApi(options: koaRs.ResourceServerOptions): Promise<AdapterApi> {
  const rs = koaRs.createResourceServer(options);
  const answer: Middleware = (ctx) => {
    ctx.body = { sub: (ctx.state as koaRs.OptionalAuthState).auth?.subject ?? null };
  };
  const routes: Record<string, Middleware[]> = {
    '/read': [rs.authenticate(), koaRs.requireScopes('notes:read'), answer],
    '/write': [rs.authenticate(), koaRs.requireScopes('notes:write'), answer],
  };
  const app = new Koa();
  app.use((ctx, next) => {
    const chain = routes[ctx.path];
    if (chain === undefined) return next();
    const dispatch = (index: number): Promise<void> =>
      Promise.resolve(chain[index]?.(ctx, () => dispatch(index + 1)));
    return dispatch(0);
  });
  return listen('koa', createServer(app.callback()), rs);
}

function expressApi(options: koaRs.ResourceServerOptions): Promise<AdapterApi> {
  const rs = expressRs.createResourceServer(options);
  const app = express();
  const answer: expressRs.ExpressMiddleware = (_req, res) => {
    res.json({ sub: res.locals.auth?.subject ?? null });
  };
  app.get('/read', rs.authenticate(), expressRs.requireScopes('notes:read'), answer);
  app.get('/write', rs.authenticate(), expressRs.requireScopes('notes:write'), answer);
  return listen('express', createServer(app), rs);
}

async function fastifyApi(options: koaRs.ResourceServerOptions): Promise<AdapterApi> {
  const rs = fastifyRs.createResourceServer(options);
  const app = fastify();
  await app.register(rs.plugin);
  const answer = async (request: { auth?: koaRs.AuthContext }) => ({
    sub: request.auth?.subject ?? null,
  });
  app.get(
    '/read',
    { onRequest: [rs.authenticate(), fastifyRs.requireScopes('notes:read')] },
    answer,
  );
  app.get(
    '/write',
    { onRequest: [rs.authenticate(), fastifyRs.requireScopes('notes:write')] },
    answer,
  );
  await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    name: 'fastify',
    url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`,
    close: async () => {
      app.server.closeAllConnections();
      await app.close();
    },
  };
}

function nodeApi(options: koaRs.ResourceServerOptions): Promise<AdapterApi> {
  const rs = nodeRs.createResourceServer(options);
  const answer = (_req: IncomingMessage, res: ServerResponse, auth?: koaRs.AuthContext) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ sub: auth?.subject ?? null }));
  };
  const routes: Record<string, (req: IncomingMessage, res: ServerResponse) => Promise<void>> = {
    '/read': rs.protect(answer, { scopes: ['notes:read'] }),
    '/write': rs.protect(answer, { scopes: ['notes:write'] }),
  };
  return listen(
    'node',
    createServer((req, res) => {
      const route = routes[(req.url ?? '/').split('?', 1)[0]!];
      if (route !== undefined) return void route(req, res);
      res.writeHead(404).end();
    }),
    rs,
  );
}

function fetchApi(options: koaRs.ResourceServerOptions): Promise<AdapterApi> {
  const rs = fetchRs.createResourceServer(options);
  const answer = (_request: Request, auth?: koaRs.AuthContext) =>
    Response.json({ sub: auth?.subject ?? null });
  const routes: Record<string, (request: Request) => Promise<Response>> = {
    '/read': rs.protect(answer, { scopes: ['notes:read'] }),
    '/write': rs.protect(answer, { scopes: ['notes:write'] }),
  };
  // A Request built from the wire request, repeated headers joined as a fetch runtime does.
  return listen(
    'fetch',
    createServer(async (req, res) => {
      const headers = new Headers();
      for (let i = 0; i < req.rawHeaders.length; i += 2) {
        headers.append(req.rawHeaders[i]!, req.rawHeaders[i + 1]!);
      }
      const request = new Request(`http://${req.headers.host}${req.url}`, {
        method: req.method,
        headers,
      });
      const route = routes[new URL(request.url).pathname];
      const response =
        route === undefined ? new Response(null, { status: 404 }) : await route(request);
      res.statusCode = response.status;
      for (const [name, value] of response.headers) res.setHeader(name, value);
      res.end(Buffer.from(await response.arrayBuffer()));
    }),
    rs,
  );
}

/** Starts the resource server `options` describes on every adapter. */
export async function startAdapterApis(
  options: koaRs.ResourceServerOptions,
): Promise<AdapterApi[]> {
  return Promise.all(
    [koaApi, expressApi, fastifyApi, nodeApi, fetchApi].map((start) => start(options)),
  );
}
