// The code of docs/guides/protect-a-koa-api.md and docs/guides/from-django-rest-framework.md.
// Every TypeScript snippet of those guides is copied from this file (docs-snippets.test.ts
// checks it), and protect-a-koa-api.test.ts runs it over HTTP.
import { randomUUID } from 'node:crypto';
import Router from '@koa/router';
import {
  allOf,
  and,
  anyOf,
  authenticatedOrReadOnly,
  claim,
  createResourceServer,
  normalizePath,
  not,
  or,
  owner,
  perMethod,
  permit,
  readWrite,
  resourceScope,
} from '@portcullis/resource-server';
import Koa, { type Middleware } from 'koa';

/** Where tokens come from and which API they are for. */
export interface NotesApiOptions {
  issuer: string;
  audience: string;
}

/** The guide's first API: notes, each owned by the `sub` that created it. */
export function createNotesApi({ issuer, audience }: NotesApiOptions): Koa {
  const rs = createResourceServer({ issuer, audience });
  const notes = new Map<string, { id: string; owner: string; text: string }>();

  // GET needs notes:read; POST and DELETE need notes:write.
  const notesScope = resourceScope('notes');
  // Only the note's owner may delete it.
  const noteOwner = owner((ctx) => notes.get(ctx.params.id)?.owner);

  const router = new Router({ sensitive: true });
  router.get('/notes', rs.authenticate(), permit(notesScope), (ctx) => {
    ctx.body = [...notes.values()];
  });
  router.post('/notes', rs.authenticate(), permit(notesScope), (ctx) => {
    const note = { id: randomUUID(), owner: ctx.state.auth.subject, text: 'hello' };
    notes.set(note.id, note);
    ctx.status = 201;
    ctx.body = note;
  });
  router.delete('/notes/:id', rs.authenticate(), permit(and(notesScope, noteOwner)), (ctx) => {
    notes.delete(ctx.params.id ?? '');
    ctx.status = 204;
  });

  const app = new Koa();
  app.use(normalizePath({ realm: audience }));
  app.use(router.routes());
  return app;
}

const ok: Middleware = (ctx) => {
  ctx.body = { ok: true };
};

/** One route per rule of the vocabulary, as the guides show them. */
export function createRulesApi({ issuer, audience }: NotesApiOptions): Koa {
  const rs = createResourceServer({ issuer, audience });
  const router = new Router({ sensitive: true });
  const posts = new Map([['p-1', 'alice']]);
  const postOwner = owner((ctx) => posts.get(ctx.params.id));

  // allOf: every scope
  router.get('/reports', rs.authenticate(), permit(allOf('reports:read', 'reports:export')), ok);

  // anyOf: at least one scope; a refusal names the first
  router.get('/search', rs.authenticate(), permit(anyOf('notes:read', 'notes:admin')), ok);

  // readWrite: GET, HEAD and OPTIONS need read, every other method write
  const drafts = readWrite({ read: 'drafts:read', write: 'drafts:write' });
  router.get('/drafts', rs.authenticate(), permit(drafts), ok);
  router.put('/drafts', rs.authenticate(), permit(drafts), ok);

  // resourceScope: tags:read for safe methods, tags:write for the others
  router.get('/tags', rs.authenticate(), permit(resourceScope('tags')), ok);
  router.post('/tags', rs.authenticate(), permit(resourceScope('tags')), ok);

  // perMethod: per-method alternatives, OpenAPI style; an unlisted method is refused
  const songs = perMethod({
    GET: [['songs:read']],
    POST: [['songs:create'], ['songs:write', 'songs:admin']],
  });
  router.get('/songs', rs.authenticate(), permit(songs), ok);
  router.post('/songs', rs.authenticate(), permit(songs), ok);
  router.put('/songs', rs.authenticate(), permit(songs), ok);

  // and / or / not
  router.patch('/posts/:id', rs.authenticate(), permit(or(postOwner, allOf('posts:moderate'))), ok);
  router.post(
    '/archive',
    rs.authenticate(),
    permit(and(allOf('notes:write'), not(allOf('notes:read-only')))),
    ok,
  );

  // claim: a check on any claim of the token
  const staff = claim('groups', (groups) => Array.isArray(groups) && groups.includes('staff'));
  router.get('/admin/stats', rs.authenticate(), permit(staff), ok);

  // authenticatedOrReadOnly: reading is public, writing needs a token (and posts:write)
  const publicPosts = authenticatedOrReadOnly(allOf('posts:write'));
  router.get('/posts', rs.authenticate({ optional: true }), permit(publicPosts), ok);
  router.post('/posts', rs.authenticate({ optional: true }), permit(publicPosts), ok);

  const app = new Koa();
  app.use(normalizePath({ realm: audience }));
  app.use(router.routes());
  return app;
}
