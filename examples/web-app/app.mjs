// Notes Viewer: a third-party web app that signs users in with Portcullis (authorization code +
// PKCE S256 + state), shows who signed in, calls the notes API with an access token for it,
// refreshes its tokens (rotation: the newest refresh token is kept) and signs out (RP-initiated
// logout). Plain JavaScript on Koa and openid-client 6; runs on Node.js 20 and newer as is.
//
//   CLIENT_ID=... CLIENT_SECRET=... node examples/web-app/app.mjs
//
// Settings come from the environment: ISSUER [http://localhost:3000], API_URL (the API's base URL
// and its resource identifier) [http://localhost:4000], CLIENT_ID, CLIENT_SECRET (leave it out for
// a public client), PORT [8080]. The redirect URI is http://localhost:PORT/callback.
import { randomBytes } from 'node:crypto';
import Koa from 'koa';
import * as client from 'openid-client';
import { homePage, problemPage, STYLE_HASH, signedOutPage } from './pages.mjs';
import { createSessionStore, validCsrf } from './session.mjs';

/** @typedef {import('./session.mjs').Session} Session */
/** @typedef {import('./session.mjs').Tokens} Tokens */
/** @typedef {Koa.ParameterizedContext<{ session?: Session }>} Context */

/** What the app asks for: who the user is, a refresh token, and both scopes of the notes API. */
const SCOPE = 'openid profile email offline_access notes:read notes:write';
/** The access token is refreshed when less than this is left of it. */
const EXPIRY_MARGIN_MS = 30_000;
/** A sign-in must come back to the callback within this. */
const SIGN_IN_MS = 10 * 60_000;
/** The largest form accepted. */
const MAX_FORM_BYTES = 16 * 1024;

const settings = readSettings(process.env);
const config = await discover();
const sessions = createSessionStore();

/** A refresh the authorization server refused for good: the user has to sign in again. */
class SignInEnded extends Error {}

const app = new Koa();
// Signs the session cookie. Sessions live in this process's memory, so a key per start will do.
app.keys = [randomBytes(32).toString('base64url')];

// No script, no frames, one inline style; forms post here only, and sign-out's redirect goes on
// to the authorization server (form-action covers redirects too).
const signOutOrigin = new URL(config.serverMetadata().end_session_endpoint ?? settings.issuer)
  .origin;
const CONTENT_SECURITY_POLICY = `default-src 'none'; style-src ${STYLE_HASH}; form-action 'self' ${signOutOrigin}; frame-ancestors 'none'; base-uri 'none'`;

app.use(async (ctx, next) => {
  ctx.set({
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
    // The callback's URL holds the authorization code: no Referer anywhere.
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store',
  });
  ctx.type = 'html';
  ctx.state.session = sessions.get(ctx);
  try {
    await next();
  } catch (error) {
    const session = ctx.state.session;
    if (error instanceof SignInEnded && session) {
      sessions.end(ctx, session);
      ctx.status = 200;
      ctx.body = signedOutPage(`Your sign-in has ended (${error.message}). Sign in again.`);
      return;
    }
    console.error(`${ctx.method} ${ctx.path} failed: ${describe(error)}`);
    ctx.status = 500;
    ctx.body = problemPage('Something went wrong', 'This request failed. Try again.');
  }
});

/** @type {Record<string, (ctx: Context) => Promise<void>>} */
const routes = {
  'GET /': home,
  'GET /login': login,
  'GET /callback': callback,
  'POST /notes': withForm(addNote),
  'POST /refresh': withForm(refresh),
  'POST /logout': withForm(logout),
};

app.use(async (ctx) => {
  const route = routes[`${ctx.method} ${ctx.path}`];
  if (route) return route(ctx);
  ctx.status = 404;
  ctx.body = problemPage('Not found', 'There is no page at this address.');
});

const server = app.listen(settings.port, '127.0.0.1', () => {
  console.log(
    `Notes Viewer: open ${settings.appUrl} (issuer ${settings.issuer.href.replace(/\/$/, '')}, API ${settings.api}, ` +
      `${settings.clientSecret ? 'confidential' : 'public'} client ${settings.clientId})`,
  );
});
server.on('error', (error) => {
  console.error(`Cannot listen on port ${settings.port} (${error.message}): set PORT to another.`);
  process.exit(1);
});

// --- Pages ------------------------------------------------------------------------------------

/** `/`: the sign-in link, or the user, their notes and the token controls. @param {Context} ctx */
async function home(ctx) {
  const session = ctx.state.session;
  const flash = session?.flash;
  if (session) session.flash = undefined;
  if (!session?.tokens) {
    ctx.body = signedOutPage(flash);
    return;
  }
  /** @type {{ text: string }[] | undefined} */
  let notes;
  let apiProblem;
  try {
    const response = await callApi(session, 'GET', '/notes');
    if (response.ok) notes = /** @type {{ text: string }[]} */ (await response.json());
    else apiProblem = await apiRefusal(response);
  } catch (error) {
    if (error instanceof SignInEnded) throw error;
    apiProblem = `The API could not be reached: ${describe(error)}`;
  }
  const tokens = signedIn(session);
  ctx.body = homePage({
    claims: tokens.claims,
    notes,
    apiProblem,
    scope: tokens.scope,
    expiresAt: tokens.expiresAt,
    refreshes: tokens.refreshes,
    csrf: session.csrf,
    flash,
  });
}

// --- Signing in -------------------------------------------------------------------------------

/** `/login`: sends the browser to the authorization server. @param {Context} ctx */
async function login(ctx) {
  const session = ctx.state.session ?? sessions.start(ctx);
  if (session.tokens) return ctx.redirect('/');
  // PKCE and state: new for every sign-in, kept in the session until the callback. The verifier
  // never leaves the server; only its S256 hash goes in the URL.
  const codeVerifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  session.pending = { state, codeVerifier, startedAt: Date.now() };
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: settings.redirectUri,
    scope: SCOPE,
    // The access token is for this API: its `aud` will be the API's resource identifier.
    resource: settings.api,
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    state,
    // offline_access (a refresh token) is granted only with prompt=consent.
    prompt: 'consent',
  });
  ctx.redirect(url.href);
}

/** `/callback`: the authorization server sends the browser back here. @param {Context} ctx */
async function callback(ctx) {
  const session = ctx.state.session;
  const pending = session?.pending;
  if (!session || !pending || Date.now() - pending.startedAt > SIGN_IN_MS) {
    ctx.status = 400;
    ctx.body = problemPage(
      'Sign-in failed',
      'This sign-in was not started in this browser, took too long, or was already used. Sign in again.',
    );
    return;
  }
  session.pending = undefined; // one callback per sign-in
  /** @type {Awaited<ReturnType<typeof client.authorizationCodeGrant>>} */
  let response;
  try {
    // Checks state (and iss), exchanges the code with the PKCE verifier, validates the ID token.
    // The URL is built on our own address, not on the request's Host header.
    response = await client.authorizationCodeGrant(config, new URL(ctx.url, settings.appUrl), {
      pkceCodeVerifier: pending.codeVerifier,
      expectedState: pending.state,
      idTokenExpected: true,
    });
  } catch (error) {
    ctx.status = 400;
    if (error instanceof client.AuthorizationResponseError && error.error === 'access_denied') {
      ctx.body = problemPage(
        'Not signed in',
        'You did not allow Notes Viewer to access your account.',
      );
      return;
    }
    console.error(`sign-in failed: ${describe(error)}`);
    ctx.body = problemPage(
      'Sign-in failed',
      `The sign-in could not be completed (${describe(error)}).`,
    );
    return;
  }
  // A new session id once signed in: an id planted in the browser before is worth nothing now.
  sessions.renew(ctx, session);
  session.tokens = keepTokens(response, undefined);
  session.flash = 'Signed in.';
  ctx.redirect('/');
}

// --- The API, refresh and sign-out ------------------------------------------------------------

/** `POST /notes`: adds a note through the API. @param {Context} ctx @param {Session} session @param {URLSearchParams} form */
async function addNote(ctx, session, form) {
  const text = (form.get('text') ?? '').trim();
  if (text !== '') {
    const response = await callApi(session, 'POST', '/notes', { text });
    session.flash = response.ok ? 'Note added.' : await apiRefusal(response);
  }
  seeOther(ctx, '/');
}

/** `POST /refresh`: new tokens now, rather than when the access token runs out. @param {Context} ctx @param {Session} session */
async function refresh(ctx, session) {
  await refreshTokens(session);
  session.flash =
    'Tokens refreshed: a new access token, and a new refresh token that replaces the spent one.';
  seeOther(ctx, '/');
}

/** `POST /logout`: ends the session here, the grant, and the session at the server. @param {Context} ctx @param {Session} session */
async function logout(ctx, session) {
  const tokens = session.tokens;
  sessions.end(ctx, session);
  if (tokens?.refreshToken) {
    // Revoking the refresh token ends the grant: no token of it can be refreshed any more.
    await client
      .tokenRevocation(config, tokens.refreshToken, { token_type_hint: 'refresh_token' })
      .catch((error) => console.error(`could not revoke the refresh token: ${describe(error)}`));
  }
  // RP-initiated logout: the authorization server asks the user to confirm, then ends its own
  // session, so the next sign-in asks for the password again. The URL names the client
  // (client_id) and not the user: an id_token_hint would put the ID token, email included, in the
  // browser's history and the server's access log.
  seeOther(ctx, client.buildEndSessionUrl(config).href);
}

/**
 * Calls the API with the session's access token: refreshed first when it is about to expire,
 * and once more when the API answers 401 (it expired early, or the key that signed it is gone).
 * @param {Session} session
 * @param {string} method
 * @param {string} path
 * @param {unknown} [body] sent as JSON
 */
async function callApi(session, method, path, body) {
  if (Date.now() > signedIn(session).expiresAt - EXPIRY_MARGIN_MS) await refreshTokens(session);
  const send = () =>
    fetch(`${settings.api}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${signedIn(session).accessToken}`,
        accept: 'application/json',
        ...(body !== undefined && { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const response = await send();
  if (response.status !== 401) return response;
  await response.body?.cancel();
  await refreshTokens(session);
  return send();
}

/**
 * Refreshes the session's tokens. Each refresh spends the refresh token sent and returns a new
 * one, which replaces it: sending a spent one again is refused, and later taken as theft (the
 * server revokes the whole grant). So two requests of one session never refresh at once: the
 * second waits for the first and uses its tokens.
 * @param {Session} session
 * @returns {Promise<void>}
 */
function refreshTokens(session) {
  session.refreshing ??= (async () => {
    const previous = signedIn(session);
    if (!previous.refreshToken) throw new SignInEnded('no refresh token');
    try {
      const response = await client.refreshTokenGrant(config, previous.refreshToken);
      session.tokens = keepTokens(response, previous);
    } catch (error) {
      // Expired, revoked (signed out elsewhere, or access removed on the account page), or spent.
      if (error instanceof client.ResponseBodyError && error.error === 'invalid_grant') {
        throw new SignInEnded(error.error);
      }
      throw error;
    }
  })().finally(() => {
    session.refreshing = undefined;
  });
  return session.refreshing;
}

/**
 * What the session keeps of a token response: the newest of each token.
 * @param {client.TokenEndpointResponse & client.TokenEndpointResponseHelpers} response
 * @param {Tokens | undefined} previous
 * @returns {Tokens}
 */
function keepTokens(response, previous) {
  return {
    accessToken: response.access_token,
    expiresAt: Date.now() + (response.expiresIn() ?? 0) * 1000,
    refreshToken: response.refresh_token ?? previous?.refreshToken,
    claims: { ...(response.claims() ?? previous?.claims) },
    scope: response.scope ?? previous?.scope ?? '',
    refreshes: previous ? previous.refreshes + 1 : 0,
  };
}

// --- Helpers ----------------------------------------------------------------------------------

/**
 * A POST handler that gets a signed-in session and the form, after the CSRF check.
 * @param {(ctx: Context, session: Session, form: URLSearchParams) => Promise<void>} handler
 * @returns {(ctx: Context) => Promise<void>}
 */
function withForm(handler) {
  return async (ctx) => {
    const session = ctx.state.session;
    const form = await readForm(ctx);
    if (!validCsrf(session, form)) {
      ctx.status = 403;
      ctx.body = problemPage('Refused', 'This form is out of date or did not come from this app.');
      return;
    }
    if (!session?.tokens) return seeOther(ctx, '/');
    await handler(ctx, session, form);
  };
}

/** @param {Context} ctx @returns {Promise<URLSearchParams>} */
async function readForm(ctx) {
  if (!ctx.is('application/x-www-form-urlencoded')) return new URLSearchParams();
  /** @type {Buffer[]} */
  const chunks = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    size += chunk.length;
    if (size > MAX_FORM_BYTES) return new URLSearchParams();
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/** @param {Session} session @returns {Tokens} */
function signedIn(session) {
  if (!session.tokens) throw new SignInEnded('signed out');
  return session.tokens;
}

/** @param {Context} ctx @param {string} location */
function seeOther(ctx, location) {
  ctx.status = 303;
  ctx.redirect(location);
}

/** The API's refusal, for the page: status, error code and description. @param {Response} response */
async function apiRefusal(response) {
  const body = /** @type {{ error?: string, error_description?: string }} */ (
    await response.json().catch(() => ({}))
  );
  return `The API answered ${response.status} ${body.error ?? ''}: ${body.error_description ?? response.statusText}`;
}

/** An error in one line, without tokens. @param {unknown} error */
function describe(error) {
  if (error instanceof client.ResponseBodyError)
    return `${error.error}: ${error.error_description}`;
  return error instanceof Error ? error.message : String(error);
}

async function discover() {
  try {
    return await client.discovery(
      settings.issuer,
      settings.clientId,
      undefined,
      settings.clientSecret ? client.ClientSecretBasic(settings.clientSecret) : client.None(),
      // Plain http is for a local issuer only.
      settings.issuer.protocol === 'http:' ? { execute: [client.allowInsecureRequests] } : {},
    );
  } catch (error) {
    console.error(
      `Cannot read the authorization server's metadata at ${settings.issuer.href} (${describe(error)}): is it running (pnpm dev), and is ISSUER right?`,
    );
    process.exit(1);
  }
}

/** @param {NodeJS.ProcessEnv} env */
function readSettings(env) {
  const port = Number(env.PORT ?? 8080);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    console.error(`PORT must be a port number, got "${env.PORT}"`);
    process.exit(1);
  }
  const clientId = env.CLIENT_ID ?? '';
  if (clientId === '') {
    console.error(
      'Set CLIENT_ID (and CLIENT_SECRET): what `pnpm portcullis clients create` printed.',
    );
    process.exit(1);
  }
  const appUrl = `http://localhost:${port}`;
  return {
    issuer: new URL(env.ISSUER ?? 'http://localhost:3000'),
    api: (env.API_URL ?? 'http://localhost:4000').replace(/\/+$/, ''),
    clientId,
    clientSecret: env.CLIENT_SECRET || undefined,
    port,
    appUrl,
    redirectUri: `${appUrl}/callback`,
  };
}
