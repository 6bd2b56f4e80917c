// Server-side sessions kept in memory. The browser holds only a random session id in a signed,
// HttpOnly, SameSite=Lax cookie: tokens, PKCE verifiers and CSRF tokens never leave the server.
// One process, lost on restart: a real app keeps sessions in a store shared by its instances.
import { randomBytes, timingSafeEqual } from 'node:crypto';

/** The cookie's name: cookies are per host, not per port, so it must not collide with the server's. */
const COOKIE = 'notes_viewer_session';
/** A session unused for this long is forgotten. */
const IDLE_MS = 60 * 60 * 1000;
/** At most this many sessions; past it, the least recently used goes. */
const MAX_SESSIONS = 10_000;

/**
 * @typedef {object} Tokens
 * @property {string} accessToken for the API (its `aud` is the API's resource identifier)
 * @property {number} expiresAt when the access token expires, in ms since the epoch
 * @property {string | undefined} refreshToken the newest one: each refresh spends the previous
 * @property {Record<string, unknown>} claims the ID token's claims: who signed in
 * @property {string} scope what the user granted
 * @property {number} refreshes how many times the tokens were refreshed
 */

/**
 * @typedef {object} Session
 * @property {string} id
 * @property {string} csrf the token every form posts back
 * @property {number} lastSeen
 * @property {{ state: string, codeVerifier: string, startedAt: number } | undefined} pending
 *   a sign-in under way: what the callback checks
 * @property {Tokens | undefined} tokens once signed in
 * @property {Promise<void> | undefined} refreshing a refresh under way: others wait for it
 * @property {string | undefined} flash a one-time message for the next page
 */

/** @typedef {import('koa').Context} Context */

export function createSessionStore() {
  /** @type {Map<string, Session>} */
  const sessions = new Map();

  /** @param {Context} ctx @param {Session} session */
  function setCookie(ctx, session) {
    ctx.cookies.set(COOKIE, session.id, {
      signed: true,
      httpOnly: true,
      sameSite: 'lax',
      secure: ctx.secure,
      path: '/',
    });
  }

  /** @param {string} id @param {Session} session */
  function remember(id, session) {
    sessions.set(id, session);
    if (sessions.size > MAX_SESSIONS) {
      const oldest = sessions.keys().next().value;
      if (oldest !== undefined) sessions.delete(oldest);
    }
  }

  return {
    /**
     * The request's session, or undefined.
     * @param {Context} ctx
     * @returns {Session | undefined}
     */
    get(ctx) {
      const id = ctx.cookies.get(COOKIE, { signed: true });
      const session = id === undefined ? undefined : sessions.get(id);
      if (session === undefined) return undefined;
      sessions.delete(session.id);
      if (Date.now() - session.lastSeen > IDLE_MS) return undefined;
      session.lastSeen = Date.now();
      remember(session.id, session); // most recently used last
      return session;
    },

    /**
     * A new, empty session, with its cookie set.
     * @param {Context} ctx
     * @returns {Session}
     */
    start(ctx) {
      /** @type {Session} */
      const session = {
        id: randomId(),
        csrf: randomId(),
        lastSeen: Date.now(),
        pending: undefined,
        tokens: undefined,
        refreshing: undefined,
        flash: undefined,
      };
      remember(session.id, session);
      setCookie(ctx, session);
      return session;
    },

    /**
     * New id and CSRF token for the same session, as at sign-in, so an id someone planted in the
     * browser before it (session fixation) is worth nothing after.
     * @param {Context} ctx
     * @param {Session} session
     */
    renew(ctx, session) {
      sessions.delete(session.id);
      session.id = randomId();
      session.csrf = randomId();
      remember(session.id, session);
      setCookie(ctx, session);
    },

    /**
     * Forgets the session and deletes its cookie.
     * @param {Context} ctx
     * @param {Session} session
     */
    end(ctx, session) {
      sessions.delete(session.id);
      ctx.cookies.set(COOKIE, null, { signed: true, path: '/' });
    },
  };
}

/**
 * Whether a form carries the session's CSRF token. Together with SameSite=Lax this stops another
 * site from posting a form here in the user's name.
 * @param {Session | undefined} session
 * @param {URLSearchParams} form
 */
export function validCsrf(session, form) {
  const sent = Buffer.from(form.get('csrf') ?? '');
  const expected = Buffer.from(session?.csrf ?? '');
  return expected.length > 0 && sent.length === expected.length && timingSafeEqual(sent, expected);
}

function randomId() {
  return randomBytes(32).toString('base64url');
}
