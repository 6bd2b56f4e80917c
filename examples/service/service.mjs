// A first-party service that calls the notes API with client credentials: it gets an access
// token, re-uses it for every call until shortly before it expires (then gets a new one), and,
// when the API answers 401 all the same, gets a new token and tries that call once more.
// Plain JavaScript on openid-client 6; runs on Node.js 20 and newer as is.
//
//   CLIENT_ID=... CLIENT_SECRET=... node examples/service/service.mjs
//
// Settings come from the environment: ISSUER [http://localhost:3000], API_URL (the API's base URL
// and its resource identifier) [http://localhost:4000], CLIENT_ID, CLIENT_SECRET, ROUNDS (rounds
// of calls; 0 runs until Ctrl-C) [3], INTERVAL_SECONDS (between rounds) [2].
import { setTimeout as sleep } from 'node:timers/promises';
import * as client from 'openid-client';

/** What the service asks for: both scopes of the notes API. */
const SCOPE = 'notes:read notes:write';
/** A token is replaced this long before it expires (at most a tenth of its lifetime). */
const EXPIRY_MARGIN_SECONDS = 30;

const settings = readSettings(process.env);
const config = await discover();
const tokens = createTokenSource(config, { scope: SCOPE, resource: settings.api });
let calls = 0;

try {
  for (let round = 1; settings.rounds === 0 || round <= settings.rounds; round += 1) {
    if (round > 1) await sleep(settings.intervalSeconds * 1000);
    const me = await callApi('GET', '/me');
    console.log(`GET /me -> ${me.status} ${JSON.stringify(me.body)}`);
    const created = await callApi('POST', '/notes', { text: `report ${round} from the service` });
    console.log(`POST /notes -> ${created.status} ${JSON.stringify(created.body)}`);
    const notes = await callApi('GET', '/notes');
    const count = Array.isArray(notes.body)
      ? `${notes.body.length} note${notes.body.length === 1 ? '' : 's'}`
      : JSON.stringify(notes.body);
    console.log(`GET /notes -> ${notes.status} (${count})`);
  }
} catch (error) {
  console.error(`stopped: ${describe(error)}`);
  process.exitCode = 1;
}
console.log(
  `done: ${calls} API calls with ${tokens.fetched} access token${tokens.fetched === 1 ? '' : 's'}`,
);

/**
 * Calls the API with the current token; on 401, gets a new token and tries once more. Any other
 * status is the API's answer (403 insufficient_scope, 429, ...), returned as is.
 * @param {string} method
 * @param {string} path
 * @param {unknown} [body] sent as JSON
 * @returns {Promise<{ status: number, body: unknown }>}
 */
async function callApi(method, path, body) {
  for (let attempt = 1; ; attempt += 1) {
    const token = await tokens.get();
    calls += 1;
    const response = await fetch(`${settings.api}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        accept: 'application/json',
        ...(body !== undefined && { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const answer = { status: response.status, body: await response.json().catch(() => null) };
    if (response.status !== 401) return answer;
    const challenge = response.headers.get('www-authenticate') ?? '';
    if (attempt === 2) {
      throw new Error(`${method} ${path}: the API refused a new token too (401 ${challenge})`);
    }
    // Expired early (clocks differ), or the key that signed it is gone: one new token, one retry.
    console.log(`${method} ${path} -> 401 (${challenge}): getting a new token, trying once more`);
    tokens.refused(token);
  }
}

/**
 * Access tokens from the token endpoint, each re-used until shortly before it expires. Calls that
 * need a token while one is being fetched wait for that one.
 * @param {client.Configuration} config
 * @param {{ scope: string, resource: string }} parameters
 */
function createTokenSource(config, parameters) {
  /** @type {{ token: string, renewAt: number } | undefined} */
  let current;
  /** @type {Promise<string> | undefined} */
  let fetching;
  let why = 'none yet';
  let fetched = 0;

  async function fetchToken() {
    const asked = Date.now();
    const response = await client.clientCredentialsGrant(config, parameters);
    const lifetime = response.expiresIn() ?? 0;
    const margin = Math.min(EXPIRY_MARGIN_SECONDS, lifetime / 10);
    current = { token: response.access_token, renewAt: asked + (lifetime - margin) * 1000 };
    fetched += 1;
    console.log(
      `token: got a new access token (${why}): scope "${response.scope}", expires in ${lifetime} s`,
    );
    return current.token;
  }

  return {
    /** The current token, or a new one when there is none or it is about to expire. */
    async get() {
      if (current && Date.now() < current.renewAt) return current.token;
      if (current) why = `the last one expires in under ${EXPIRY_MARGIN_SECONDS} s`;
      fetching ??= fetchToken().finally(() => {
        fetching = undefined;
      });
      return fetching;
    },
    /** The API refused `token`: the next `get` fetches a new one (unless it already has). @param {string} token */
    refused(token) {
      if (current?.token !== token) return;
      current = undefined;
      why = 'the API refused the last one';
    },
    /** How many tokens were fetched so far. */
    get fetched() {
      return fetched;
    },
  };
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
      client.ClientSecretBasic(settings.clientSecret),
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
  const clientId = env.CLIENT_ID ?? '';
  const clientSecret = env.CLIENT_SECRET ?? '';
  if (clientId === '' || clientSecret === '') {
    console.error(
      'Set CLIENT_ID and CLIENT_SECRET: what `pnpm portcullis clients create` printed.',
    );
    process.exit(1);
  }
  const rounds = Number(env.ROUNDS ?? 3);
  const intervalSeconds = Number(env.INTERVAL_SECONDS ?? 2);
  if (!Number.isInteger(rounds) || rounds < 0 || !(intervalSeconds >= 0)) {
    console.error('ROUNDS must be a whole number (0: until Ctrl-C), INTERVAL_SECONDS 0 or more.');
    process.exit(1);
  }
  return {
    issuer: new URL(env.ISSUER ?? 'http://localhost:3000'),
    api: (env.API_URL ?? 'http://localhost:4000').replace(/\/+$/, ''),
    clientId,
    clientSecret,
    rounds,
    intervalSeconds,
  };
}
