import test, { type ExecutionContext } from 'ava';
import { AUDIENCE } from '../helpers/mint-token.ts';
import { type RawResponse, rawRequest } from '../helpers/raw-request.ts';
import { adapterNames, type RunningAdapter, startAdapter } from '../helpers/start-adapter.ts';
import { startIssuer, type TestIssuer } from '../helpers/start-issuer.ts';
import {
  adversarialRows,
  type Expected,
  generateTableKeys,
  type Row,
} from './adversarial-table.ts';

// One table of attacks and edge cases, every row against every adapter (Koa, Express, Fastify,
// node:http, fetch), each a real HTTP server verifying against a JWKS served over HTTP: each must
// give the row's answer, and all the same status, challenge and body.

const META = `${AUDIENCE}/.well-known/oauth-protected-resource`;
const ALGS = 'ES256 PS256 EdDSA Ed25519';
const BEARER = `Bearer realm="${AUDIENCE}", resource_metadata="${META}"`;
const DPOP = `DPoP realm="${AUDIENCE}", algs="${ALGS}", resource_metadata="${META}"`;
const escapeRegExp = (value: string) => value.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const description = '[\\x20\\x21\\x23-\\x5b\\x5d-\\x7e]+';

let issuer: TestIssuer;
const adapters: RunningAdapter[] = [];
const keys = await generateTableKeys();

test.before(async () => {
  issuer = await startIssuer([keys.key.publicJwk]);
  for (const name of adapterNames)
    adapters.push(await startAdapter(name, { jwksUri: issuer.jwksUri }));
});
test.after.always(async () => {
  await Promise.all(adapters.map((adapter) => adapter.close()));
  await issuer?.close();
});

function challengePattern(expected: Expected): RegExp | undefined {
  if (!('error' in expected) || !('scheme' in expected)) return undefined;
  const scope = expected.scope === undefined ? '' : `, scope="${escapeRegExp(expected.scope)}"`;
  const params = `realm="${escapeRegExp(AUDIENCE)}", error="${expected.error}", error_description="${description}"${scope}`;
  return expected.scheme === 'Bearer'
    ? new RegExp(
        `^Bearer ${params}, resource_metadata="${escapeRegExp(META)}", ${escapeRegExp(DPOP)}$`,
      )
    : new RegExp(
        `^DPoP ${params}, algs="${ALGS}", resource_metadata="${escapeRegExp(META)}", ${escapeRegExp(BEARER)}$`,
      );
}

function judge(t: ExecutionContext, adapter: string, response: RawResponse, expected: Expected) {
  const where = `${adapter}: ${response.status} ${response.text.slice(0, 200)}`;
  t.is(response.status, expected.status, where);
  const challenge = response.headers.get('www-authenticate');
  if ('metadata' in expected) {
    t.is(response.body?.resource, AUDIENCE, where);
    t.is(response.headers.get('cache-control'), 'public, max-age=300', where);
  } else if ('sub' in expected) {
    t.deepEqual(response.body, { sub: expected.sub, actor: expected.actor ?? [] }, where);
  } else if ('challenge' in expected) {
    t.is(challenge, `${BEARER}, ${DPOP}`, where);
    t.is(response.body?.error, 'unauthorized', where);
  } else if ('error' in expected) {
    t.is(response.body?.error, expected.error, where);
    t.is(typeof response.body?.error_description, 'string', where);
    t.is(response.headers.get('cache-control'), 'no-store', where);
    const pattern = challengePattern(expected);
    if (pattern === undefined) t.is(challenge, null, where);
    else t.regex(challenge ?? '', pattern, where);
    if (expected.status === 429) t.regex(response.headers.get('retry-after') ?? '', /^[1-9]\d*$/);
  } else {
    t.is(challenge, null, where);
  }
}

// What must be the same across adapters: every answer of ours. A 200 is the test route's own
// (its content type is the framework's), and a 431 is Node's or the framework's, before any
// adapter ran: for those, the status and the absence of a challenge.
function comparable(response: RawResponse) {
  const challenge = response.headers.get('www-authenticate');
  if (response.status === 431) return { status: response.status, challenge };
  return {
    status: response.status,
    challenge,
    cacheControl: response.headers.get('cache-control'),
    retryAfter: response.headers.get('retry-after'),
    ...(response.status !== 200 && { type: response.headers.get('content-type') }),
    body: response.body,
  };
}

async function send(url: string, row: Awaited<ReturnType<Row['request']>>): Promise<RawResponse> {
  let response: RawResponse | undefined;
  for (let i = 0; i < (row.times ?? 1); i += 1) {
    response = await rawRequest(url, row.method ?? 'GET', row.target, [...row.headers]);
  }
  return response!;
}

for (const row of adversarialRows(keys)) {
  test(row.name, async (t) => {
    const request = await row.request();
    const answers = [];
    for (const adapter of adapters) {
      const response = await send(adapter.url, request);
      judge(t, adapter.name, response, row.expected);
      answers.push({ adapter: adapter.name, ...comparable(response) });
    }
    const [first, ...others] = answers;
    for (const other of others) {
      t.deepEqual(
        { ...other, adapter: first!.adapter },
        first,
        `${other.adapter} differs from ${first!.adapter}`,
      );
    }
  });
}
