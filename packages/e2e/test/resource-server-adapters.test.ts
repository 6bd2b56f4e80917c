import { connect } from 'node:net';
import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import { base64url, calculateJwkThumbprint, exportJWK, SignJWT } from 'jose';
import * as client from 'openid-client';
import { discoverClient, type Stack, startStack } from '../src/index.ts';
import { type AdapterApi, startAdapterApis } from './resource-server-adapters-fixtures.ts';

// Tokens of a real Portcullis, obtained by openid-client, against the resource server on every
// adapter (Koa, Express, Fastify, node:http, fetch), over real HTTP: each request gets the same
// answer from all five (status, challenge, body), and the one each row expects. The exhaustive
// table, with forged tokens, is packages/resource-server/test/adapters.

let database: TestDatabase;
let stack: Stack;
let readToken: string;
let boundToken: string;
let holder: Awaited<ReturnType<typeof client.randomDPoPKeyPair>>;
// The same resource server, with the real clock, an hour later, an hour earlier, and for
// another audience.
const sets: Record<'now' | 'later' | 'earlier' | 'elsewhere', AdapterApi[]> = {
  now: [],
  later: [],
  earlier: [],
  elsewhere: [],
};
const PUBLIC_URL = 'https://api.example.test';

test.before(async () => {
  database = await createTestDatabase();
  stack = await startStack(database.db, database.url);
  const create = (name: string, extra: string[] = []) =>
    stack.cli<{ client_id: string; client_secret: string }>([
      'clients',
      'create',
      '--name',
      name,
      '--grant',
      'client_credentials',
      '--resource',
      stack.api,
      '--scope',
      'notes:read',
      ...extra,
    ]);
  const reader = await discoverClient(stack.issuer, await create('adapters reader'));
  readToken = (
    await client.clientCredentialsGrant(reader, { scope: 'notes:read', resource: stack.api })
  ).access_token;
  const dpopService = await discoverClient(
    stack.issuer,
    await create('adapters dpop', ['--require-dpop']),
  );
  holder = await client.randomDPoPKeyPair('ES256');
  boundToken = (
    await client.clientCredentialsGrant(
      dpopService,
      { scope: 'notes:read', resource: stack.api },
      { DPoP: client.getDPoPHandle(dpopService, holder) },
    )
  ).access_token;
  const base = {
    issuer: stack.issuer,
    audience: stack.api,
    jwksUri: `${stack.issuer}/jwks`,
    publicUrl: PUBLIC_URL,
    dpop: {},
  };
  const hour = 3600 * 1000;
  sets.now = await startAdapterApis(base);
  sets.later = await startAdapterApis({ ...base, now: () => Date.now() + hour });
  sets.earlier = await startAdapterApis({ ...base, now: () => Date.now() - hour });
  sets.elsewhere = await startAdapterApis({ ...base, audience: 'https://elsewhere.example.test' });
});
test.after.always(async () => {
  await Promise.all(
    Object.values(sets)
      .flat()
      .map((api) => api.close()),
  );
  await stack?.stop();
  await database?.drop();
});

interface Answer {
  status: number;
  challenge: string | null;
  body: string;
}

/** GET `target` with exactly these header lines, over a raw socket (fetch joins repeated ones). */
async function rawGet(url: string, target: string, lines: string[]): Promise<Answer> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  socket.write(
    [
      `GET ${target} HTTP/1.1`,
      `Host: ${hostname}:${port}`,
      'Connection: close',
      ...lines,
      '',
      '',
    ].join('\r\n'),
  );
  const chunks: Buffer[] = [];
  for await (const chunk of socket) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks).toString('utf8');
  const [head = '', body = ''] = raw.split('\r\n\r\n');
  const [status = '', ...headers] = head.split('\r\n');
  const challenge = headers.find((line) => /^www-authenticate:/i.test(line));
  return {
    status: Number(status.split(' ')[1]),
    challenge: challenge === undefined ? null : challenge.slice(challenge.indexOf(':') + 1).trim(),
    body,
  };
}

async function dpopProof(token: string, htu: string, jti = crypto.randomUUID()): Promise<string> {
  const ath = base64url.encode(
    new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(token))),
  );
  return new SignJWT({ htm: 'GET', htu, jti, ath })
    .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: await exportJWK(holder.publicKey) })
    .setIssuedAt()
    .sign(holder.privateKey);
}

interface Row {
  readonly set?: keyof typeof sets;
  readonly target?: string;
  lines(): Promise<string[]>;
  readonly times?: number;
  readonly status: number;
  /** The `error` of the challenge (undefined: none expected, or a bare challenge for 401). */
  readonly error?: string;
}

const bearer = (token: string) => [`Authorization: Bearer ${token}`];

const rows: Record<string, Row> = {
  'a valid token': { lines: async () => bearer(readToken), status: 200 },
  'the scheme in lower case': {
    lines: async () => [`Authorization: bearer ${readToken}`],
    status: 200,
  },
  'no credentials': { lines: async () => [], status: 401 },
  'a missing scope': {
    target: '/write',
    lines: async () => bearer(readToken),
    status: 403,
    error: 'insufficient_scope',
  },
  'expired (the API an hour later)': {
    set: 'later',
    lines: async () => bearer(readToken),
    status: 401,
    error: 'invalid_token',
  },
  'issued in the future (the API an hour earlier)': {
    set: 'earlier',
    lines: async () => bearer(readToken),
    status: 401,
    error: 'invalid_token',
  },
  'for another audience': {
    set: 'elsewhere',
    lines: async () => bearer(readToken),
    status: 401,
    error: 'invalid_token',
  },
  'a tampered signature': {
    lines: async () => {
      const [header, payload, signature = ''] = readToken.split('.');
      return bearer(
        `${header}.${payload}.${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`,
      );
    },
    status: 401,
    error: 'invalid_token',
  },
  'alg none over the real claims': {
    lines: async () => {
      const [, payload] = readToken.split('.');
      const header = base64url.encode(JSON.stringify({ alg: 'none', typ: 'at+jwt' }));
      return bearer(`${header}.${payload}.`);
    },
    status: 401,
    error: 'invalid_token',
  },
  'two Authorization headers': {
    lines: async () => [...bearer(readToken), ...bearer(readToken)],
    status: 400,
    error: 'invalid_request',
  },
  'the token in the query string too': {
    target: `/read?access_token=x`,
    lines: async () => bearer(readToken),
    status: 400,
    error: 'invalid_request',
  },
  'a DPoP-bound token as a Bearer token': {
    lines: async () => bearer(boundToken),
    status: 401,
    error: 'invalid_token',
  },
  'a DPoP-bound token with its proof': {
    lines: async () => [
      `Authorization: DPoP ${boundToken}`,
      `DPoP: ${await dpopProof(boundToken, `${PUBLIC_URL}/read`)}`,
    ],
    status: 200,
  },
  'a DPoP-bound token without its proof': {
    lines: async () => [`Authorization: DPoP ${boundToken}`],
    status: 401,
    error: 'invalid_dpop_proof',
  },
  'a DPoP proof replayed': {
    lines: async () => [
      `Authorization: DPoP ${boundToken}`,
      `DPoP: ${await dpopProof(boundToken, `${PUBLIC_URL}/read`)}`,
    ],
    times: 2,
    status: 401,
    error: 'invalid_dpop_proof',
  },
};

for (const [name, row] of Object.entries(rows)) {
  test(name, async (t) => {
    const lines = await row.lines();
    const answers: (Answer & { adapter: string })[] = [];
    for (const api of sets[row.set ?? 'now']) {
      let answer: Answer | undefined;
      for (let i = 0; i < (row.times ?? 1); i += 1)
        answer = await rawGet(api.url, row.target ?? '/read', lines);
      const { status, challenge } = answer!;
      t.is(status, row.status, `${api.name}: ${answer!.body}`);
      if (row.error !== undefined)
        t.true(challenge?.includes(`error="${row.error}"`), `${api.name}: ${challenge}`);
      else if (status === 401)
        t.false(challenge?.includes('error=') ?? true, `${api.name}: ${challenge}`);
      if (status === 200) t.regex(answer!.body, /"sub":"[^"]+"/);
      answers.push({ adapter: api.name, ...answer! });
    }
    // Every adapter answers alike (the success bodies are the routes' own).
    const [first, ...others] = answers;
    for (const other of others) {
      t.deepEqual(
        {
          status: other.status,
          challenge: other.challenge,
          body: other.status === 200 ? '' : other.body,
        },
        {
          status: first!.status,
          challenge: first!.challenge,
          body: first!.status === 200 ? '' : first!.body,
        },
        `${other.adapter} differs from ${first!.adapter}`,
      );
    }
  });
}

test('the DPoP-bound token names its holder', async (t) => {
  const claims = JSON.parse(new TextDecoder().decode(base64url.decode(boundToken.split('.')[1]!)));
  t.is(claims.cnf.jkt, await calculateJwkThumbprint(await exportJWK(holder.publicKey)));
});
