import { randomBytes } from 'node:crypto';
import { createServer, request, type Server } from 'node:http';
import { RETIREMENT_POLICY } from '@portcullis/auth-server';
import { createResourceServer } from '@portcullis/resource-server';
import { notifyChange } from '@portcullis/storage';
import { createTestDatabase, freePort, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import Koa from 'koa';
import * as client from 'openid-client';
import {
  cliJson,
  discoverClient,
  formAction,
  HttpBrowser,
  inputValue,
  jwksKids,
  kidOf,
  type Running,
  startServe,
  until,
} from '../src/index.ts';

// Two `portcullis serve` processes on one database behind a round-robin proxy (the issuer URL,
// as a load balancer would be), a resource server verifying their tokens with the JWKS it
// fetches through that proxy, and `portcullis keys rotate` run while tokens flow.

const API = 'https://notes.example.test';
// Replicas share their secrets, as they share the database.
const KEK = randomBytes(32).toString('base64url');
const COOKIE_KEYS = randomBytes(32).toString('base64url');

let database: TestDatabase;
let issuer: string;
let backends: string[] = [];
const children: Running[] = [];
const servers: Server[] = [];
let verifierUrl: string;
let oauth: client.Configuration[] = [];

/** Runs `portcullis ...args --json` in process against the test's database. */
const cli = <T>(args: string[], stdin = '') =>
  cliJson<T>(
    {
      DATABASE_URL: database.url,
      PORTCULLIS_KEY_ENCRYPTION_KEY: KEK,
      PORTCULLIS_ACTOR: 'rotation-test',
    },
    args,
    stdin,
  );

/** Starts `portcullis serve` as its own process on `port`; resolves with its URL once it listens. */
async function serve(port: number): Promise<string> {
  const running = await startServe({
    DATABASE_URL: database.url,
    PORTCULLIS_HOST: '127.0.0.1',
    PORTCULLIS_PORT: String(port),
    PORTCULLIS_ISSUER: issuer,
    PORTCULLIS_COOKIE_KEYS: COOKIE_KEYS,
    PORTCULLIS_KEY_ENCRYPTION_KEY: KEK,
  });
  children.push(running);
  return running.url;
}

/** A round-robin HTTP proxy over `targets`, like a load balancer in front of replicas. */
async function roundRobin(port: number, targets: () => string[]): Promise<Server> {
  let turn = 0;
  const proxy = createServer((req, res) => {
    const list = targets();
    const target = new URL(req.url ?? '/', list[turn++ % list.length]);
    const upstream = request(target, { method: req.method, headers: req.headers }, (reply) => {
      res.writeHead(reply.statusCode ?? 502, reply.headers);
      reply.pipe(res);
    });
    upstream.on('error', () => {
      res.writeHead(502).end();
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => proxy.listen(port, '127.0.0.1', resolve));
  return proxy;
}

/** A Koa API protected by @portcullis/resource-server, refetching the JWKS every second. */
async function startVerifier(): Promise<Server> {
  const rs = createResourceServer({
    issuer,
    audience: API,
    // Every request verified in full; the JWKS is refetched once it is a second old, and an
    // unknown kid does NOT trigger a refetch sooner (the default 30 s cooldown): a token signed
    // by a key the JWKS did not list a second ago fails. Only staging avoids that.
    cache: false,
    jwks: { cacheMaxAgeMs: 1000 },
  });
  const app = new Koa();
  app.use(rs.authenticate());
  app.use((ctx) => {
    ctx.body = { sub: ctx.state.auth.subject };
  });
  const port = await freePort();
  const server = app.listen(port, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  verifierUrl = `http://127.0.0.1:${port}`;
  return server;
}

const iatOf = (token: string) =>
  (JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as { iat: number })
    .iat;

const verify = async (token: string) =>
  (await fetch(verifierUrl, { headers: { authorization: `Bearer ${token}` } })).status;

interface Issued {
  backend: number;
  kid: string;
  iat: number;
  token: string;
}

/**
 * Keeps issuing tokens from both servers and verifying them, plus the earliest tokens again
 * and again, until stopped. Records every token and every failed verification.
 */
function traffic() {
  const issued: Issued[] = [];
  const failures: string[] = [];
  let verified = 0;
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      for (const [backend, configuration] of oauth.entries()) {
        try {
          const { access_token: token } = await client.clientCredentialsGrant(configuration, {
            resource: API,
            scope: 'notes:read',
          });
          issued.push({ backend, kid: kidOf(token), iat: iatOf(token), token });
          // The first token of each server, verified again every round.
          const old = issued[backend]?.token as string;
          for (const candidate of [token, old]) {
            const status = await verify(candidate);
            verified += 1;
            if (status !== 200)
              failures.push(`${status} for a token signed by ${kidOf(candidate)}`);
          }
        } catch (error) {
          failures.push(`server ${backend}: ${String(error)}`);
        }
      }
    }
  })();
  return {
    issued,
    failures,
    verified: () => verified,
    async stop() {
      stopped = true;
      await loop;
    },
  };
}

interface KeyJson {
  kid: string;
  alg: string;
  state: string;
  activates_at: string | null;
  removes_at: string | null;
}

const activeKid = async (alg = 'ES256') =>
  (await cli<KeyJson[]>(['keys', 'list'])).find((k) => k.alg === alg && k.state === 'active')
    ?.kid as string;

test.before(async () => {
  database = await createTestDatabase();
  const proxyPort = await freePort();
  issuer = `http://127.0.0.1:${proxyPort}`;
  servers.push(await roundRobin(proxyPort, () => backends));
  // Both replicas start together on a database without keys: they must agree on one set.
  backends = await Promise.all([serve(await freePort()), serve(await freePort())]);

  await cli([
    'resources',
    'create',
    '--identifier',
    API,
    '--name',
    'Notes',
    '--scope',
    'notes:read=Read',
  ]);
  const created = await cli<{ client_id: string; client_secret: string }>([
    'clients',
    'create',
    '--name',
    'reporting',
    '--grant',
    'client_credentials',
    '--resource',
    API,
    '--scope',
    'notes:read',
    '--first-party',
  ]);
  // A real OAuth client configured from discovery (through the proxy), pointed at each replica's
  // token endpoint in turn.
  const discovered = await discoverClient(issuer, created);
  const { supportsPKCE: _, ...metadata } = discovered.serverMetadata();
  oauth = backends.map((backend) => {
    const configuration = new client.Configuration(
      { ...metadata, token_endpoint: `${backend}/token` },
      created.client_id,
      undefined,
      client.ClientSecretBasic(created.client_secret),
    );
    client.allowInsecureRequests(configuration);
    return configuration;
  });
  servers.push(await startVerifier());
});

test.after.always(async () => {
  await Promise.all(children.map((child) => child.stop()));
  for (const server of servers) server.close();
  await database?.drop();
});

test.serial(
  'staged rotation across two server processes: zero failed verifications, the new key signs only after activation, old tokens keep verifying',
  async (t) => {
    const oldKid = await activeKid();
    t.deepEqual(
      (await jwksKids(backends[0] as string)).sort(),
      (await jwksKids(backends[1] as string)).sort(),
      'both replicas serve the same keys',
    );
    const flow = traffic();
    t.teardown(() => flow.stop());
    await until(
      'both servers issued tokens',
      () => new Set(flow.issued.map((i) => i.backend)).size === 2,
    );

    const { staged } = await cli<{ staged: KeyJson[] }>(['keys', 'rotate', '--propagation', '3s']);
    const newKey = staged.find((k) => k.alg === 'ES256') as KeyJson;
    const activatesAt = Date.parse(newKey.activates_at as string);

    // Published first: both replicas list the new key while it does not sign yet.
    await until('both replicas publish the staged key', async () => {
      const lists = await Promise.all(backends.map(jwksKids));
      return lists.every((kids) => kids.includes(newKey.kid));
    });
    t.true(Date.now() < activatesAt, 'published before it signs');

    // Then it signs, on both replicas, without a restart.
    await until('both replicas sign with the new key', () =>
      [0, 1].every((backend) =>
        flow.issued.some((i) => i.backend === backend && i.kid === newKey.kid),
      ),
    );
    // Old tokens still verify after the switch (the loop re-verifies the first ones each round).
    const after = flow.verified();
    await until(
      'old tokens were verified again after the switch',
      () => flow.verified() > after + 8,
    );
    await flow.stop();

    t.deepEqual(flow.failures, [], 'no verification failed');
    for (const token of flow.issued.filter((i) => i.kid === newKey.kid)) {
      t.true(
        token.iat * 1000 >= activatesAt - 999,
        'no token was signed by the new key before its time',
      );
    }
    t.true(
      flow.issued.some((i) => i.kid === oldKid),
      'tokens were signed by the old key first',
    );
    t.is(await verify(flow.issued[0]?.token as string), 200, 'an old token still verifies');

    const keys = await cli<KeyJson[]>(['keys', 'list']);
    const oldKey = keys.find((k) => k.kid === oldKid) as KeyJson;
    t.is(oldKey.state, 'retired');
    t.true(
      Date.parse(oldKey.removes_at as string) - Date.now() > 3600_000,
      'published until its tokens expire',
    );
    t.is(keys.find((k) => k.kid === newKey.kid)?.state, 'active');
    for (const kids of await Promise.all(backends.map(jwksKids))) {
      t.true(kids.includes(oldKid) && kids.includes(newKey.kid));
    }

    // The replicas raced for the activation; the database let exactly one of them perform it.
    const activations = await database
      .db('audit_events')
      .where({ type: 'key.activated' })
      .whereRaw(`details->>'kid' = ?`, [newKey.kid]);
    t.is(activations.length, 1);
    t.is(activations[0]?.actor, 'system');
    const retirements = await database
      .db('audit_events')
      .where({ type: 'key.retired' })
      .whereRaw(`details->>'kid' = ?`, [oldKid]);
    t.is(retirements.length, 1);

    // Once every token the old key signed has expired (simulated: its removal time is moved to
    // now), the servers drop it from the JWKS, and resource servers stop accepting it.
    await database
      .db('signing_keys')
      .where({ kid: oldKid })
      .update({ removes_at: database.db.fn.now() });
    await notifyChange(database.db, { kind: 'key', id: '*' });
    await until('both replicas stop publishing the old key', async () =>
      (await Promise.all(backends.map(jwksKids))).every((kids) => !kids.includes(oldKid)),
    );
    t.false((await cli<KeyJson[]>(['keys', 'list'])).some((k) => k.kid === oldKid));
    await until(
      'the resource server refuses the old token',
      async () => (await verify(flow.issued[0]?.token as string)) === 401,
    );
  },
);

test.serial(
  '--now --revoke-old: both replicas sign with a new key at once and drop the old one',
  async (t) => {
    const oldKid = await activeKid();
    const { activated } = await cli<{ activated: KeyJson[] }>([
      'keys',
      'rotate',
      '--now',
      '--revoke-old',
      '--alg',
      'ES256',
    ]);
    const newKid = activated[0]?.kid as string;
    for (const configuration of oauth) {
      await until('the replica signs with the emergency key', async () => {
        const { access_token: token } = await client.clientCredentialsGrant(configuration, {
          resource: API,
          scope: 'notes:read',
        });
        return kidOf(token) === newKid;
      });
    }
    for (const kids of await Promise.all(backends.map(jwksKids))) {
      t.true(kids.includes(newKid));
      t.false(kids.includes(oldKid), 'the revoked key is no longer published');
    }
  },
);

/** `keys rotate --now` (ES256), then waits until both replicas sign ES256 with the new key. */
async function rotateNowEverywhere(): Promise<string> {
  const { activated } = await cli<{ activated: KeyJson[] }>([
    'keys',
    'rotate',
    '--now',
    '--alg',
    'ES256',
  ]);
  const kid = activated[0]?.kid as string;
  await until('both replicas publish the new key', async () =>
    (await Promise.all(backends.map(jwksKids))).every((kids) => kids.includes(kid)),
  );
  for (const configuration of oauth) {
    await until('the replica signs with the new key', async () => {
      const { access_token: token } = await client.clientCredentialsGrant(configuration, {
        resource: API,
        scope: 'notes:read',
      });
      return kidOf(token) === kid;
    });
  }
  return kid;
}

test.serial(
  'a sign-in in progress survives key changes: interaction, session, code and refresh token live in PostgreSQL, not in the replaced instance',
  async (t) => {
    const password = 'correct horse battery staple';
    await cli(['users', 'create', '--username', 'alice', '--password-stdin'], `${password}\n`);
    const redirect = 'http://127.0.0.1:8765/callback';
    const app = await cli<{ client_id: string; client_secret: string }>([
      'clients',
      'create',
      '--name',
      'Notes Viewer',
      '--grant',
      'authorization_code',
      'refresh_token',
      '--redirect-uri',
      redirect,
      '--resource',
      API,
      '--scope',
      'openid offline_access notes:read',
    ]);
    const config = await discoverClient(issuer, app);
    const verifier = client.randomPKCECodeVerifier();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: redirect,
      scope: 'openid offline_access notes:read',
      resource: API,
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      prompt: 'consent',
    });
    // The browser goes through the proxy, so its requests alternate between the replicas.
    const browser = new HttpBrowser(issuer);
    let step = await browser.follow(url.href);
    t.regex(await step.response.clone().text(), /name="password"/, 'the login page');

    await rotateNowEverywhere();
    for (let i = 0; i < 3 && !step.left; i += 1) {
      const page = await step.response.text();
      const action = new URL(formAction(page) as string, step.url).href;
      const csrf = inputValue(page, 'csrf') as string;
      const form: Record<string, string> = page.includes('name="password"')
        ? { csrf, username: 'alice', password }
        : { csrf, decision: 'approve' };
      step = await browser.follow(action, { form });
    }
    t.truthy(step.left, 'signed in and consented after the swap');

    const kid = await rotateNowEverywhere();
    const tokens = await client.authorizationCodeGrant(config, new URL(step.left as string), {
      pkceCodeVerifier: verifier,
    });
    t.is(
      kidOf(tokens.access_token),
      kid,
      'the code from before the swap redeems, signed by the new key',
    );
    const idToken = tokens.claims();
    t.truthy(idToken?.sub, 'the ID token verified against the published keys');
    t.true(
      (idToken?.exp ?? Infinity) - (idToken?.iat ?? 0) <=
        RETIREMENT_POLICY.minimumTokenLifetimeSeconds,
      'a retired key outlives the ID tokens it signed',
    );
    // An emergency key is unknown to resource servers until their JWKS copy expires (here after
    // a second): the documented price of --now.
    await until(
      'the resource server accepts the new key',
      async () => (await verify(tokens.access_token)) === 200,
    );

    const newest = await rotateNowEverywhere();
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token as string, {
      resource: API,
    });
    t.is(kidOf(refreshed.access_token), newest, 'the refresh token from before the swap works');
    await until(
      'the resource server accepts the newest key',
      async () => (await verify(refreshed.access_token)) === 200,
    );
  },
);
