// The code of docs/guides/protect-a-node-api.md and docs/guides/from-django-rest-framework.md.
// Every TypeScript snippet of those guides is copied from this file (docs-snippets.test.ts
// checks it), and protect-a-koa-api.test.ts runs it over HTTP. Snippets longer than one line are
// whole top-level statements, so that they appear here exactly as the guides print them.
import { randomUUID } from 'node:crypto';
import Router from '@koa/router';
import {
  type AuthenticatedState,
  actedBy,
  allOf,
  and,
  anyOf,
  authenticated,
  authenticatedOrReadOnly,
  claim,
  createMemoryThrottleStore,
  createResourceServer,
  defineCatalogue,
  normalizePath,
  not,
  or,
  owner,
  perMethod,
  permit,
  type ResourceServer,
  type Rule,
  readWrite,
  requireScopes,
  resourceScope,
  role,
  throttle,
} from '@portcullis/resource-server';
import {
  createRedisThrottleStore,
  type RedisThrottleClient,
} from '@portcullis/resource-server/redis';
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

// ---------------------------------------------------------------------------------------------
// Options

/** A resource server with every option of token verification spelled out (defaults shown). */
export function createConfiguredResourceServer({ issuer, audience }: NotesApiOptions) {
  return createResourceServer({
    issuer, // e.g. 'https://auth.example.com': compared exactly with the token's `iss`
    audience, // e.g. 'https://api.example.com': the token's `aud` must contain it
    jwksUri: `${issuer}/jwks`, // default: `jwks_uri` from the issuer's metadata
    algorithms: ['ES256'], // asymmetric only: `none` and HS256 are refused
    clockToleranceSeconds: 30, // leeway for exp, nbf and iat, at most 60
    maxTokenAgeSeconds: 3600, // default: no limit; refuse tokens issued (iat) longer ago
    requiredClaims: ['auth_time'], // default: none; claims required besides RFC 9068's
    maxTokenLength: 4096, // longer tokens are refused before they are parsed
    realm: audience, // realm of the WWW-Authenticate challenges
    jwks: { timeoutMs: 5_000, cooldownMs: 30_000, cacheMaxAgeMs: 600_000 },
    cache: { maxEntries: 10_000 }, // verified tokens, until their exp; false to turn off
  });
}

/** Describes itself at /.well-known/oauth-protected-resource (RFC 9728). */
export function createDescribedResourceServer({ issuer, audience }: NotesApiOptions) {
  return createResourceServer({
    issuer,
    audience,
    publicUrl: audience, // where clients reach this API (here also its identifier)
    resourceName: 'Notes API',
    scopes: ['notes:read', 'notes:write'],
  });
}

/** The options of a resource server that also accepts opaque tokens. */
export interface OpaqueTokenOptions extends NotesApiOptions {
  clientId: string;
  clientSecret: string;
}

/** Also accepts opaque tokens, by asking the issuer's introspection endpoint (RFC 7662). */
export function createIntrospectingResourceServer(options: OpaqueTokenOptions) {
  const { issuer, audience, clientId, clientSecret } = options;
  return createResourceServer({
    issuer,
    audience,
    // The endpoint is `introspection_endpoint` from the issuer's metadata unless given here.
    introspection: { clientId, clientSecret, maxCacheSeconds: 60 },
  });
}

/** Refuses revoked tokens within seconds, as DOT's database look-up does: it follows the feed. */
export function createRevocationAwareResourceServer(options: OpaqueTokenOptions) {
  const { issuer, audience, clientId, clientSecret } = options;
  return createResourceServer({
    issuer,
    audience,
    introspection: { clientId, clientSecret },
    // The issuer's revocation feed, read as the introspection client: a revoked grant or token, a
    // disabled user or client is refused within seconds; 503 once the feed is gone for 60 s.
    revocationFeed: { graceSeconds: 60 },
  });
}

/** Accepts only DPoP-bound tokens (RFC 9449): a stolen token is useless without its key. */
export function createDpopResourceServer({ issuer, audience }: NotesApiOptions) {
  return createResourceServer({
    issuer,
    audience,
    publicUrl: audience, // proofs must name this URL plus the request path (`htu`)
    dpop: { required: true, iatWindowSeconds: 60 },
  });
}

// ---------------------------------------------------------------------------------------------
// ctx.state.auth

/** What a verified token says, as `authenticate()` leaves it in `ctx.state.auth`. */
export const whoAmI: Middleware<AuthenticatedState> = (ctx) => {
  const { subject, clientId, scopes, claims, token } = ctx.state.auth;
  ctx.body = { subject, clientId, scopes: [...scopes], expiresAt: claims.exp, token };
};

/** `GET /me` behind any resource server, and that server's RFC 9728 metadata. */
export function createWhoAmIApi(rs: ResourceServer): Koa {
  const router = new Router({ sensitive: true });
  router.get('/me', rs.authenticate(), whoAmI);
  const app = new Koa();
  app.use(rs.metadata());
  app.use(router.routes());
  return app;
}

// ---------------------------------------------------------------------------------------------
// Rules: each is a value; `permit(rule)` turns it into middleware.

// allOf: the token must grant every scope
export const exportReports = allOf('reports:read', 'reports:export');

// anyOf: at least one of the scopes; a refusal names the first
export const searchNotes = anyOf('notes:read', 'notes:admin');

// readWrite: GET, HEAD and OPTIONS need `read`, every other method `write`
export const drafts = readWrite({ read: 'drafts:read', write: 'drafts:write' });

// readWrite with lists: every scope of the list is needed
export const music = readWrite({ read: ['music', 'read'], write: ['music', 'write'] });

// resourceScope: tags:read for GET, HEAD and OPTIONS, tags:write for the other methods
export const tags = resourceScope('tags');

// perMethod: alternatives per method, OpenAPI style; a method not listed is refused
export const songs = perMethod({
  GET: [['songs:read']],
  POST: [['songs:create'], ['songs:write', 'songs:admin']],
});

// owner: the token's `sub` must equal the owner your lookup returns
const posts = new Map([['p-1', 'alice']]);
export const postOwner = owner((ctx) => posts.get(ctx.params.id));

// or: the post's owner, or a moderator
export const editPost = or(postOwner, allOf('posts:moderate'));

// and, not: writers, but not tokens that also carry the read-only marker scope
export const archive = and(allOf('notes:write'), not(allOf('notes:read-only')));

// claim: a check on any claim of the verified token; only `true` allows
export const staff = claim('groups', (groups) => Array.isArray(groups) && groups.includes('staff'));

// role: the roles claim of a resource registered with --roles-claim (DRF's IsAdminUser)
export const notesAdmin = role('notes-admin');

// the same check through claim, for a list claim of another name or another test
export const notesAdminClaim = claim(
  'roles',
  (roles) => Array.isArray(roles) && roles.includes('notes-admin'),
);

// actedBy: a delegated token (RFC 8693 token exchange) whose current actor is the orders service
export const fromOrdersService = actedBy('orders-service');

// DjangoModelPermissions: a scope per model and action; gate the privileged ones on the
// resource (--role-gated notes:delete), so only users given a role that holds them get them
export const notePermissions = perMethod({
  GET: [['notes:view']],
  POST: [['notes:add']],
  PUT: [['notes:change']],
  DELETE: [['notes:delete']],
});

// authenticated: any valid token; useful after optional authentication or inside or()
export const signedIn = authenticated();

// authenticatedOrReadOnly: reading is public; writing needs a token with posts:write
export const publicPosts = authenticatedOrReadOnly(allOf('posts:write'));

// A rule of your own: an object whose evaluate(ctx, auth) returns a verdict
const betaClients = new Set(['beta-app']);
export const betaOnly: Rule = {
  evaluate(_ctx, auth) {
    if (auth === undefined) return { allowed: false, refusal: 'unauthenticated' };
    if (betaClients.has(auth.clientId)) return { allowed: true };
    return { allowed: false, refusal: 'forbidden', description: 'this client is not in the beta' };
  },
};

const ok: Middleware = (ctx) => {
  ctx.body = { ok: true };
};

/** One route per rule of the vocabulary, as the guides show them. */
export function createRulesApi({ issuer, audience }: NotesApiOptions): Koa {
  const rs = createResourceServer({ issuer, audience });
  const router = new Router({ sensitive: true });
  router.get('/reports', rs.authenticate(), permit(exportReports), ok);
  router.get('/search', rs.authenticate(), permit(searchNotes), ok);
  router.get('/drafts', rs.authenticate(), permit(drafts), ok);
  router.put('/drafts', rs.authenticate(), permit(drafts), ok);
  router.get('/music', rs.authenticate(), permit(music), ok);
  router.post('/music', rs.authenticate(), permit(music), ok);
  router.get('/tags', rs.authenticate(), permit(tags), ok);
  router.post('/tags', rs.authenticate(), permit(tags), ok);
  router.get('/songs', rs.authenticate(), permit(songs), ok);
  router.post('/songs', rs.authenticate(), permit(songs), ok);
  router.put('/songs', rs.authenticate(), permit(songs), ok);
  router.patch('/posts/:id', rs.authenticate(), permit(editPost), ok);
  router.post('/archive', rs.authenticate(), permit(archive), ok);
  router.get('/admin/stats', rs.authenticate(), permit(staff), ok);
  router.get('/admin/notes', rs.authenticate(), permit(notesAdmin), ok);
  router.get('/admin/notes-by-claim', rs.authenticate(), permit(notesAdminClaim), ok);
  router.get('/delegated/notes', rs.authenticate(), permit(fromOrdersService), ok);
  router.delete('/model/notes', rs.authenticate(), permit(notePermissions), ok);
  router.get('/feed', rs.authenticate({ optional: true }), permit(signedIn), ok);
  router.get('/posts', rs.authenticate({ optional: true }), permit(publicPosts), ok);
  router.post('/posts', rs.authenticate({ optional: true }), permit(publicPosts), ok);
  router.get('/beta', rs.authenticate(), permit(betaOnly), ok);
  router.get('/legacy', rs.authenticate(), requireScopes('notes:read'), ok);

  const app = new Koa();
  app.use(normalizePath({ realm: audience }));
  app.use(router.routes());
  return app;
}

// ---------------------------------------------------------------------------------------------
// The typed catalogue

/** The example API's resource and scopes: what packages/example-api/src/catalogue.ts declares. */
export const catalogue = defineCatalogue({
  notes: {
    identifier: 'http://localhost:4000',
    name: 'Example notes API',
    scopes: {
      'notes:read': 'Read your notes',
      'notes:write': 'Create and delete your notes',
    },
  },
});

// Rules built from the catalogue accept only its scopes.
export const notesAccess = catalogue.rules.resourceScope('notes');
export const anyNotesScope = catalogue.rules.anyOf('notes:read', 'notes:write');

/** A misspelt scope: a type error, and a ResourceServerConfigError for untyped callers. */
export function misspeltScope(): Rule {
  // @ts-expect-error 'notes:raed' is not a scope of the catalogue
  return catalogue.rules.allOf('notes:raed');
}

/** A resource server that publishes the catalogue's scopes in its RFC 9728 metadata. */
export function createCatalogueResourceServer(issuer: string) {
  const { identifier, name } = catalogue.resources.notes;
  return createResourceServer({
    issuer,
    audience: identifier,
    publicUrl: identifier,
    resourceName: name,
    scopes: [...catalogue.scopes],
  });
}

// ---------------------------------------------------------------------------------------------
// Throttling

/** Notes with throttles: per client on writes, per user on reads, per address without a token. */
export function createThrottledApi({ issuer, audience }: NotesApiOptions): Koa {
  const rs = createResourceServer({ issuer, audience });
  const store = createMemoryThrottleStore({ maxEntries: 100_000 });
  // One bucket shared by both write routes, counted per OAuth client (`client_id`).
  const writes = throttle({ rate: '10/hour', by: 'client', scope: 'notes-writes', store });
  // Reads counted per user (`sub`).
  const reads = throttle({ rate: '1000/day', by: 'subject', scope: 'notes-reads', store });
  // Requests without a token, counted per address; requests with one are not throttled here.
  const anonymous = throttle({
    rate: '5/hour',
    by: (ctx) => (ctx.state.auth === undefined ? ctx.ip : undefined),
    scope: 'anonymous',
    store,
  });

  const router = new Router({ sensitive: true });
  router.get('/notes', rs.authenticate(), permit(allOf('notes:read')), reads, ok);
  router.post('/notes', rs.authenticate(), permit(allOf('notes:write')), writes, ok);
  router.delete('/notes/:id', rs.authenticate(), permit(allOf('notes:write')), writes, ok);
  router.get('/public', rs.authenticate({ optional: true }), anonymous, ok);

  const app = new Koa();
  app.use(router.routes());
  return app;
}

/** Writes counted per client in Redis, shared by every replica (DRF's throttles and its cache). */
export function createSharedThrottleApi(
  { issuer, audience }: NotesApiOptions,
  redis: RedisThrottleClient, // an ioredis client: new Redis(process.env.REDIS_URL)
): Koa {
  const rs = createResourceServer({ issuer, audience });
  const store = createRedisThrottleStore({ client: redis, prefix: 'notes-api:' });
  const writes = throttle({ rate: '10/hour', by: 'client', scope: 'notes-writes', store });

  const router = new Router({ sensitive: true });
  router.post('/notes', rs.authenticate(), permit(allOf('notes:write')), writes, ok);
  const app = new Koa();
  app.use(router.routes());
  return app;
}
