// The code of the per-framework guides (docs/guides/protect-an-express-api.md,
// protect-a-fastify-api.md, protect-a-node-http-api.md, protect-a-fetch-api.md): each guide's
// TypeScript blocks are copied from this file (guides.test.ts checks it, and runs the APIs over
// HTTP). The same notes API as the Koa guide's first one, on each framework.
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import * as expressRs from '@portcullis/resource-server/express';
import * as fastifyRs from '@portcullis/resource-server/fastify';
import * as fetchRs from '@portcullis/resource-server/fetch';
import * as nodeRs from '@portcullis/resource-server/node';
import express from 'express';
import fastify, { type FastifyInstance } from 'fastify';

/** Where tokens come from and which API they are for: `issuer` and `audience` at least. */
type NotesApiOptions = expressRs.ResourceServerOptions;

interface Note {
  id: string;
  owner: string;
  text: string;
}

// ---------------------------------------------------------------------------------------------
// Express

/** The notes API on Express 5. */
export function createExpressNotesApi(options: NotesApiOptions): express.Express {
  const { and, createResourceServer, owner, permit, resourceScope } = expressRs;
  const rs = createResourceServer(options);
  const notes = new Map<string, Note>();

  // GET needs notes:read; POST and DELETE need notes:write.
  const notesScope = resourceScope('notes');
  // Only the note's owner may delete it.
  const noteOwner = owner((req) => notes.get(String(req.params.id))?.owner);

  const app = express();
  app.use(rs.metadata());
  app.get('/notes', rs.authenticate(), permit(notesScope), (_req, res) => {
    res.json([...notes.values()]);
  });
  app.post(
    '/notes',
    rs.authenticate(),
    permit(notesScope),
    (_req, res: expressRs.AuthenticatedResponse) => {
      const note = { id: randomUUID(), owner: res.locals.auth.subject, text: 'hello' };
      notes.set(note.id, note);
      res.status(201).json(note);
    },
  );
  app.delete('/notes/:id', rs.authenticate(), permit(and(notesScope, noteOwner)), (req, res) => {
    notes.delete(String(req.params.id));
    res.status(204).end();
  });
  return app;
}

// ---------------------------------------------------------------------------------------------
// Fastify

/** The notes API on Fastify 5. */
export async function createFastifyNotesApi(options: NotesApiOptions): Promise<FastifyInstance> {
  const { and, createResourceServer, owner, permit, resourceScope } = fastifyRs;
  const rs = createResourceServer(options);
  const notes = new Map<string, Note>();

  const notesScope = resourceScope('notes');
  const noteOwner = owner((request) => notes.get((request.params as { id: string }).id)?.owner);

  const app = fastify();
  await app.register(rs.plugin);
  app.get('/notes', { onRequest: [rs.authenticate(), permit(notesScope)] }, async () => [
    ...notes.values(),
  ]);
  app.post(
    '/notes',
    { onRequest: [rs.authenticate(), permit(notesScope)] },
    async (request, reply) => {
      const note = { id: randomUUID(), owner: request.auth!.subject, text: 'hello' };
      notes.set(note.id, note);
      return reply.code(201).send(note);
    },
  );
  app.delete<{ Params: { id: string } }>(
    '/notes/:id',
    { onRequest: [rs.authenticate(), permit(and(notesScope, noteOwner))] },
    async (request, reply) => {
      notes.delete(request.params.id);
      return reply.code(204).send();
    },
  );
  return app;
}

// ---------------------------------------------------------------------------------------------
// node:http

/** The notes API on plain node:http. */
export function createNodeNotesApi(options: NotesApiOptions): Server {
  const { and, createResourceServer, owner, resourceScope } = nodeRs;
  const rs = createResourceServer(options);
  const notes = new Map<string, Note>();
  const idOf = (url = '') => url.split('?', 1)[0]!.slice('/notes/'.length);

  const notesScope = resourceScope('notes');
  const noteOwner = owner((req) => notes.get(idOf(req.url))?.owner);

  const list = rs.protect(
    (_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify([...notes.values()]));
    },
    { rule: notesScope },
  );
  const create = rs.protect(
    (_req, res, auth) => {
      const note = { id: randomUUID(), owner: auth.subject, text: 'hello' };
      notes.set(note.id, note);
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(JSON.stringify(note));
    },
    { rule: notesScope },
  );
  const remove = rs.protect(
    (req, res) => {
      notes.delete(idOf(req.url));
      res.writeHead(204).end();
    },
    { rule: and(notesScope, noteOwner) },
  );

  return createServer((req, res) => {
    if (rs.metadata(req, res)) return;
    const path = (req.url ?? '').split('?', 1)[0];
    if (path === '/notes' && req.method === 'GET') return void list(req, res);
    if (path === '/notes' && req.method === 'POST') return void create(req, res);
    if (path?.startsWith('/notes/') && req.method === 'DELETE') return void remove(req, res);
    res.writeHead(404).end();
  });
}

// ---------------------------------------------------------------------------------------------
// fetch

/** The notes API as one fetch handler (Deno, Bun, Workers, Hono, Next.js route handlers). */
export function createFetchNotesApi(
  options: NotesApiOptions,
): (request: Request) => Promise<Response> {
  const { and, createResourceServer, owner, resourceScope } = fetchRs;
  const rs = createResourceServer(options);
  const notes = new Map<string, Note>();
  const idOf = (request: Request) => new URL(request.url).pathname.slice('/notes/'.length);

  const notesScope = resourceScope('notes');
  const noteOwner = owner((request) => notes.get(idOf(request))?.owner);

  const list = rs.protect(() => Response.json([...notes.values()]), { rule: notesScope });
  const create = rs.protect(
    (_request, auth) => {
      const note = { id: randomUUID(), owner: auth.subject, text: 'hello' };
      notes.set(note.id, note);
      return Response.json(note, { status: 201 });
    },
    { rule: notesScope },
  );
  const remove = rs.protect(
    (request) => {
      notes.delete(idOf(request));
      return new Response(null, { status: 204 });
    },
    { rule: and(notesScope, noteOwner) },
  );

  return async (request) => {
    const metadata = rs.metadata(request);
    if (metadata !== undefined) return metadata;
    const { pathname } = new URL(request.url);
    if (pathname === '/notes' && request.method === 'GET') return list(request);
    if (pathname === '/notes' && request.method === 'POST') return create(request);
    if (pathname.startsWith('/notes/') && request.method === 'DELETE') return remove(request);
    return new Response(null, { status: 404 });
  };
}
