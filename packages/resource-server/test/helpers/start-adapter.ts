import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import fastify from 'fastify';
import Koa, { type Middleware } from 'koa';
import * as expressRs from '../../src/express/index.ts';
import * as fastifyRs from '../../src/fastify/index.ts';
import * as fetchRs from '../../src/fetch/index.ts';
import * as koaRs from '../../src/index.ts';
import * as nodeRs from '../../src/node/index.ts';
import { AUDIENCE, ISSUER, NOW } from './mint-token.ts';

/** The adapters every adversarial row runs against. */
export const adapterNames = ['koa', 'express', 'fastify', 'node', 'fetch'] as const;
export type AdapterName = (typeof adapterNames)[number];

/** One adapter's server, listening on 127.0.0.1. */
export interface RunningAdapter {
  readonly name: AdapterName;
  readonly url: string;
  close(): Promise<void>;
}

/**
 * The same resource server on every adapter: DPoP accepted (not required) with the audience as
 * public URL, the test clock, and the same routes:
 * - `/read`: a token with `notes:read` (`requireScopes`);
 * - `/write`: a token with `notes:write`;
 * - `/rule`: `permit(readWrite({ read: 'notes:read', write: 'notes:write' }))`;
 * - `/owner`: `permit(and(allOf('notes:read'), owner(() => 'user-1')))`;
 * - `/acted`: `permit(actedBy('orders-service'))` (a token delegated to the orders service);
 * - `/optional`: optional authentication;
 * - `/limited`: 2 requests a minute per subject;
 * - and the RFC 9728 metadata.
 * Each answers `{ sub, actor }` (null and `[]` without a token) when it lets the request through.
 */
export interface AdapterOptions {
  readonly jwksUri: string;
  /** The clock in seconds [the tests' fixed `NOW`]. */
  readonly now?: () => number;
}

const rsOptions = ({ jwksUri, now = () => NOW }: AdapterOptions) => ({
  issuer: ISSUER,
  audience: AUDIENCE,
  jwksUri,
  publicUrl: AUDIENCE,
  dpop: {},
  now: () => now() * 1000,
});
const limitOf = ({ now = () => NOW }: AdapterOptions) => ({
  rate: '2/min',
  by: 'subject' as const,
  now: () => now() * 1000,
});

// What every route answers: who the token speaks for, and who acts for them (RFC 8693).
const seen = (auth: koaRs.AuthContext | undefined) => ({
  sub: auth?.subject ?? null,
  actor: auth?.actor ?? [],
});

function listen(server: Server): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    }),
  );
}

function closer(server: Server): () => Promise<void> {
  return () =>
    new Promise((resolve, reject) => {
      server.closeAllConnections();
      server.close((error) => (error ? reject(error) : resolve()));
    });
}

async function startKoa(options: AdapterOptions): Promise<RunningAdapter> {
  const { actedBy, allOf, and, owner, permit, readWrite, requireScopes, throttle } = koaRs;
  const rs = koaRs.createResourceServer(rsOptions(options));
  const answer: Middleware = (ctx) => {
    ctx.body = seen((ctx.state as koaRs.OptionalAuthState).auth);
  };
  // Koa's default state: the routes mix required and optional authentication.
  const routes: Record<string, Middleware[]> = {
    '/read': [rs.authenticate(), requireScopes('notes:read'), answer],
    '/write': [rs.authenticate(), requireScopes('notes:write'), answer],
    '/rule': [
      rs.authenticate(),
      permit(readWrite({ read: 'notes:read', write: 'notes:write' })),
      answer,
    ],
    '/owner': [
      rs.authenticate(),
      permit(
        and(
          allOf('notes:read'),
          owner(() => 'user-1'),
        ),
      ),
      answer,
    ],
    '/acted': [rs.authenticate(), permit(actedBy('orders-service')), answer],
    '/optional': [rs.authenticate({ optional: true }), answer],
    '/limited': [rs.authenticate(), throttle(limitOf(options)), answer],
  };
  const app = new Koa();
  app.use(rs.metadata());
  app.use((ctx, next) => {
    const chain = routes[ctx.path];
    if (chain === undefined) return next();
    const dispatch = (index: number): Promise<void> =>
      Promise.resolve(chain[index]?.(ctx, () => dispatch(index + 1)));
    return dispatch(0);
  });
  const server = createServer(app.callback());
  return { name: 'koa', url: await listen(server), close: closer(server) };
}

async function startExpress(options: AdapterOptions): Promise<RunningAdapter> {
  const { actedBy, allOf, and, owner, permit, readWrite, requireScopes, throttle } = expressRs;
  const rs = expressRs.createResourceServer(rsOptions(options));
  const answer: expressRs.ExpressMiddleware = (_req, res) => {
    res.json(seen(res.locals.auth));
  };
  const app = express();
  app.use(rs.metadata());
  app.get('/read', rs.authenticate(), requireScopes('notes:read'), answer);
  app.get('/write', rs.authenticate(), requireScopes('notes:write'), answer);
  app.all(
    '/rule',
    rs.authenticate(),
    permit(readWrite({ read: 'notes:read', write: 'notes:write' })),
    answer,
  );
  app.get(
    '/owner',
    rs.authenticate(),
    permit(
      and(
        allOf('notes:read'),
        owner(() => 'user-1'),
      ),
    ),
    answer,
  );
  app.get('/acted', rs.authenticate(), permit(actedBy('orders-service')), answer);
  app.get('/optional', rs.authenticate({ optional: true }), answer);
  app.get('/limited', rs.authenticate(), throttle(limitOf(options)), answer);
  const server = createServer(app);
  return { name: 'express', url: await listen(server), close: closer(server) };
}

async function startFastify(options: AdapterOptions): Promise<RunningAdapter> {
  const { actedBy, allOf, and, owner, permit, readWrite, requireScopes, throttle } = fastifyRs;
  const rs = fastifyRs.createResourceServer(rsOptions(options));
  const app = fastify();
  await app.register(rs.plugin);
  const answer = async (request: { auth?: koaRs.AuthContext }) => seen(request.auth);
  app.get('/read', { onRequest: [rs.authenticate(), requireScopes('notes:read')] }, answer);
  app.get('/write', { onRequest: [rs.authenticate(), requireScopes('notes:write')] }, answer);
  app.route({
    method: ['GET', 'POST'],
    url: '/rule',
    onRequest: [rs.authenticate(), permit(readWrite({ read: 'notes:read', write: 'notes:write' }))],
    handler: answer,
  });
  app.get(
    '/owner',
    {
      onRequest: [
        rs.authenticate(),
        permit(
          and(
            allOf('notes:read'),
            owner(() => 'user-1'),
          ),
        ),
      ],
    },
    answer,
  );
  app.get('/acted', { onRequest: [rs.authenticate(), permit(actedBy('orders-service'))] }, answer);
  app.get('/optional', { onRequest: [rs.authenticate({ optional: true })] }, answer);
  app.get('/limited', { onRequest: [rs.authenticate(), throttle(limitOf(options))] }, answer);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  return {
    name: 'fastify',
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      app.server.closeAllConnections();
      await app.close();
    },
  };
}

function sendJson(res: ServerResponse, value: unknown): void {
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.end(JSON.stringify(value));
}

async function startNode(options: AdapterOptions): Promise<RunningAdapter> {
  const { actedBy, allOf, and, owner, readWrite } = nodeRs;
  const rs = nodeRs.createResourceServer(rsOptions(options));
  const answer = (_req: IncomingMessage, res: ServerResponse, auth?: koaRs.AuthContext) =>
    sendJson(res, seen(auth));
  const routes: Record<string, (req: IncomingMessage, res: ServerResponse) => Promise<void>> = {
    '/read': rs.protect(answer, { scopes: ['notes:read'] }),
    '/write': rs.protect(answer, { scopes: ['notes:write'] }),
    '/rule': rs.protect(answer, { rule: readWrite({ read: 'notes:read', write: 'notes:write' }) }),
    '/owner': rs.protect(answer, {
      rule: and(
        allOf('notes:read'),
        owner(() => 'user-1'),
      ),
    }),
    '/acted': rs.protect(answer, { rule: actedBy('orders-service') }),
    '/optional': rs.protect(answer, { optional: true }),
    '/limited': rs.protect(answer, { throttle: limitOf(options) }),
  };
  const server = createServer((req, res) => {
    if (rs.metadata(req, res)) return;
    const route = routes[(req.url ?? '/').split('?', 1)[0]!];
    if (route !== undefined) return void route(req, res);
    res.statusCode = 404;
    res.end();
  });
  return { name: 'node', url: await listen(server), close: closer(server) };
}

// What a fetch-style runtime hands the handler: a `Request` built from the wire request, its
// repeated headers joined by `Headers` as they are in Deno, Bun or @hono/node-server.
function toRequest(req: IncomingMessage): Request {
  const headers = new Headers();
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    headers.append(req.rawHeaders[i]!, req.rawHeaders[i + 1]!);
  }
  return new Request(`http://${req.headers.host}${req.url}`, { method: req.method, headers });
}

async function startFetch(options: AdapterOptions): Promise<RunningAdapter> {
  const { actedBy, allOf, and, owner, readWrite } = fetchRs;
  const rs = fetchRs.createResourceServer(rsOptions(options));
  const answer = (_request: Request, auth?: koaRs.AuthContext) => Response.json(seen(auth));
  const routes: Record<string, (request: Request) => Promise<Response>> = {
    '/read': rs.protect(answer, { scopes: ['notes:read'] }),
    '/write': rs.protect(answer, { scopes: ['notes:write'] }),
    '/rule': rs.protect(answer, { rule: readWrite({ read: 'notes:read', write: 'notes:write' }) }),
    '/owner': rs.protect(answer, {
      rule: and(
        allOf('notes:read'),
        owner(() => 'user-1'),
      ),
    }),
    '/acted': rs.protect(answer, { rule: actedBy('orders-service') }),
    '/optional': rs.protect(answer, { optional: true }),
    '/limited': rs.protect(answer, { throttle: limitOf(options) }),
  };
  const handle = async (request: Request): Promise<Response> => {
    const metadata = rs.metadata(request);
    if (metadata !== undefined) return metadata;
    const route = routes[new URL(request.url).pathname];
    return route === undefined ? new Response(null, { status: 404 }) : route(request);
  };
  const server = createServer(async (req, res) => {
    const response = await handle(toRequest(req));
    res.statusCode = response.status;
    for (const [name, value] of response.headers) res.setHeader(name, value);
    res.end(Buffer.from(await response.arrayBuffer()));
  });
  return { name: 'fetch', url: await listen(server), close: closer(server) };
}

const starters: Record<AdapterName, (options: AdapterOptions) => Promise<RunningAdapter>> = {
  koa: startKoa,
  express: startExpress,
  fastify: startFastify,
  node: startNode,
  fetch: startFetch,
};

/** Starts the resource server on the adapter `name`. */
export function startAdapter(name: AdapterName, options: AdapterOptions): Promise<RunningAdapter> {
  return starters[name](options);
}
