import {
  and,
  createResourceServer,
  type IntrospectionOptions,
  normalizePath,
  type OptionalAuthState,
  owner,
  permit,
  type RevocationFeedOptions,
  type RevocationFeedState,
  throttle,
} from '@portcullis/resource-server';
import Koa, { type Middleware } from 'koa';
import { catalogue } from './catalogue.ts';
import { NotFoundError } from './errors.ts';
import { errorBoundary } from './middleware/error-boundary.ts';
import { createNote } from './routes/create-note.ts';
import { deleteNote } from './routes/delete-note.ts';
import { getHealth } from './routes/get-health.ts';
import { getMe } from './routes/get-me.ts';
import { listNotes } from './routes/list-notes.ts';
import { composeChain } from './routing/chain.ts';
import { createRouteTable } from './routing/route-table.ts';
import { createNoteStore } from './services/note-store.ts';

/** Options of `createExampleApi`: where tokens come from and which API they are for. */
export interface ExampleApiOptions {
  /** The authorization server's issuer identifier. */
  issuer: string;
  /** This API's resource identifier, e.g. `http://localhost:4000`. */
  audience: string;
  /** The issuer's JWKS URL [discovered from the issuer's metadata]. */
  jwksUri?: string;
  /** Allowed JWS algorithms [`['ES256']`]. */
  algorithms?: string[];
  /** The resource server's verified-token cache [on]; `false` verifies every request in full. */
  cache?: false | { maxEntries?: number };
  /**
   * Also accept opaque tokens (such as `portcullis tokens issue` gives) by asking the issuer's
   * introspection endpoint (RFC 7662) as this client [off: JWTs only]. JWTs are still verified
   * locally; answers are cached for `maxCacheSeconds` [60].
   */
  introspection?: IntrospectionOptions;
  /**
   * The URL clients reach this API at, e.g. `http://localhost:4000` [unset]. With it, every
   * `WWW-Authenticate` challenge names the RFC 9728 metadata URL (`resource_metadata`); the
   * metadata itself is served at `/.well-known/oauth-protected-resource` either way.
   */
  publicUrl?: string;
  /**
   * Per-client limit on the write routes (`POST /notes`, `DELETE /notes/:id`, one bucket), as a
   * DRF-style rate [`{ rate: '120/min' }`]; `false` turns it off. Over it: 429 with Retry-After.
   */
  throttle?: false | { rate: string };
  /**
   * DPoP-bound tokens (RFC 9449) [`'off'`: Bearer only]. `'allowed'`: a DPoP-bound token is
   * accepted with `Authorization: DPoP` and a proof by its key, a plain token as Bearer;
   * `'required'`: only DPoP-bound tokens with their proof. Needs `publicUrl`: a proof names the
   * URL it was made for, which must be `publicUrl` plus the request's path.
   */
  dpop?: ExampleApiDpop;
  /**
   * Follow the issuer's revocation feed, so revoked tokens (a revoked grant or token, a disabled
   * or deleted user or client) are refused within seconds rather than at their expiry [off].
   * `true` follows it as the introspection client; see the resource server's `revocationFeed`.
   */
  revocationFeed?: true | RevocationFeedOptions;
}

/** The example API's Koa app, with what its resource server follows. */
export type ExampleApp = Koa & {
  /** Where the revocation feed stands; undefined when it is not followed. */
  revocationFeed(): RevocationFeedState | undefined;
  /** Stops following the revocation feed; call it when the app stops serving. */
  close(): Promise<void>;
};

/** Whether the example API takes DPoP-bound tokens: see {@link ExampleApiOptions.dpop}. */
export type ExampleApiDpop = 'off' | 'allowed' | 'required';

const DPOP_MODES: readonly ExampleApiDpop[] = ['off', 'allowed', 'required'];

// The resource server's `dpop` option for a mode; undefined: Bearer only. It refuses DPoP without
// `publicUrl` itself (a ResourceServerConfigError naming `publicUrl`).
function dpopOption(mode: ExampleApiDpop | undefined) {
  if (mode === undefined || mode === 'off') return undefined;
  if (!DPOP_MODES.includes(mode)) {
    throw new TypeError('createExampleApi: "dpop" must be "off", "allowed" or "required"');
  }
  return { required: mode === 'required' };
}

const optionKeys = new Set([
  'issuer',
  'audience',
  'jwksUri',
  'algorithms',
  'cache',
  'introspection',
  'publicUrl',
  'throttle',
  'dpop',
  'revocationFeed',
]);

/** The per-client rate of writes when `throttle` is not given. */
const defaultWriteRate = '120/min';

const passThrough: Middleware<OptionalAuthState> = (_ctx, next) => next();

// `throttle` checks the rate itself (a ResourceServerConfigError naming `throttle.rate`).
function writeThrottle(value: ExampleApiOptions['throttle']): Middleware<OptionalAuthState> {
  if (value === false) return passThrough;
  if (value === undefined) value = { rate: defaultWriteRate };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError('createExampleApi: "throttle" must be false or { rate }');
  }
  for (const key of Object.keys(value)) {
    if (key !== 'rate') throw new TypeError(`createExampleApi: unknown option "throttle.${key}"`);
  }
  // One middleware on both write routes: they count in one bucket per client.
  return throttle({ rate: value.rate, by: 'client', scope: 'notes-writes' });
}

/**
 * Creates the example "notes" API as a Koa app, not listening. It is built only on the public
 * exports of `@portcullis/resource-server`; notes live in memory, per app. It serves its RFC 9728
 * metadata and limits writes per client. Options are checked by `createResourceServer` and
 * `throttle` (which throw a `ResourceServerConfigError` naming the bad key).
 *
 * @example
 * const app = createExampleApi({ issuer: 'http://localhost:3000', audience: 'http://localhost:4000' });
 * app.listen(4000);
 */
export function createExampleApi(options: ExampleApiOptions): ExampleApp {
  for (const key of Object.keys(options ?? {})) {
    if (!optionKeys.has(key)) throw new TypeError(`createExampleApi: unknown option "${key}"`);
  }
  const { issuer, audience, jwksUri, algorithms, cache, introspection, publicUrl, revocationFeed } =
    options;
  const dpop = dpopOption(options.dpop);
  const rs = createResourceServer({
    issuer,
    audience,
    ...(jwksUri !== undefined && { jwksUri }),
    ...(algorithms !== undefined && { algorithms }),
    ...(cache !== undefined && { cache }),
    ...(introspection !== undefined && { introspection }),
    ...(publicUrl !== undefined && { publicUrl }),
    ...(dpop !== undefined && { dpop }),
    ...(revocationFeed !== undefined && { revocationFeed }),
    // What /.well-known/oauth-protected-resource tells clients (RFC 9728), from the catalogue.
    resourceName: catalogue.resources.notes.name,
    scopes: [...catalogue.scopes],
  });
  const authenticate = rs.authenticate();
  // After the rules (as DRF checks throttles after permissions): refused requests do not count.
  const limitWrites = writeThrottle(options.throttle);
  const store = createNoteStore();

  // GET needs notes:read, POST and DELETE notes:write; only scopes of the catalogue type-check.
  const notes = permit(catalogue.rules.resourceScope('notes'));
  // Scopes first: a token that may not write never gets to look a note up.
  const ownNote = permit(
    and(
      catalogue.rules.resourceScope('notes'),
      owner((ctx) => {
        const note = store.get(ctx.params.id ?? '');
        if (note === undefined) throw new NotFoundError('no note has this id');
        return note.owner;
      }),
    ),
  );

  // Every route and its rules, in one table. Routes are case-sensitive and `normalizePath`
  // refuses dot segments, encoded slashes and the like, so a path names one route or none:
  // `/NOTES` and `/notes/../me` reach no handler.
  const routes = createRouteTable<OptionalAuthState>();
  routes.on('GET', '/healthz', getHealth);
  // The RFC 9728 metadata (`rs.metadata()` answers only its own path), no token needed.
  routes.on('GET', '/.well-known/oauth-protected-resource', rs.metadata());
  routes.on('GET', '/me', authenticate, getMe);
  routes.on('GET', '/notes', authenticate, notes, listNotes(store));
  routes.on('POST', '/notes', authenticate, notes, limitWrites, createNote(store));
  routes.on('DELETE', '/notes/:id', authenticate, ownNote, limitWrites, deleteNote(store));

  const app = new Koa();
  // One Koa middleware: the error boundary around the path check (with the realm of the resource
  // server's challenges, which defaults to the audience) and the routes, composed without a
  // promise per layer, so that a request answered from the verified-token cache waits on nothing.
  app.use(errorBoundary(composeChain([normalizePath({ realm: audience }), routes.routes()])));
  return Object.assign(app, { revocationFeed: () => rs.revocationFeed(), close: () => rs.close() });
}
