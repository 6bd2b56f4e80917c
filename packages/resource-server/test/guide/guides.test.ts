// The per-framework guides print code that runs: every TypeScript block of them is, after
// trimming, verbatim in notes-apis.ts, and this file runs those APIs over HTTP with tokens
// verified against a JWKS served over HTTP.
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import test, { type ExecutionContext } from 'ava';
import { generateTestKey } from '../helpers/keys.ts';
import { AUDIENCE, ISSUER, mintToken } from '../helpers/mint-token.ts';
import { startIssuer, type TestIssuer } from '../helpers/start-issuer.ts';
import {
  createExpressNotesApi,
  createFastifyNotesApi,
  createFetchNotesApi,
  createNodeNotesApi,
} from './notes-apis.ts';

const guides = [
  'protect-an-express-api.md',
  'protect-a-fastify-api.md',
  'protect-a-node-http-api.md',
  'protect-a-fetch-api.md',
];
const docs = new URL('../../../../docs/guides/', import.meta.url);
const code = await readFile(new URL('notes-apis.ts', import.meta.url), 'utf8');
const key = await generateTestKey('key-1');

for (const guide of guides) {
  test(`every TypeScript block of docs/guides/${guide} is code of notes-apis.ts`, async (t) => {
    const markdown = await readFile(new URL(guide, docs), 'utf8');
    const blocks = [...markdown.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((match) => match[1]!);
    t.true(blocks.length >= 1, 'the guide shows its code');
    for (const block of blocks) t.true(code.includes(block.trim()), block.slice(0, 120));
  });
}

let issuer: TestIssuer;
test.before(async () => {
  issuer = await startIssuer([key.publicJwk]);
});
test.after.always(() => issuer.close());

// The tokens are valid now: the APIs run on the real clock.
async function token(scope: string, sub = 'user-1'): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return mintToken(key, { claims: { scope, sub, iat: now, exp: now + 300 } });
}

async function listen(server: Server): Promise<{ url: string; close: () => Promise<void> }> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const call = async (url: string, method: string, bearer?: string) => {
  const headers = bearer === undefined ? undefined : { authorization: `Bearer ${bearer}` };
  const response = await fetch(url, { method, headers });
  const text = await response.text();
  return { status: response.status, response, json: text === '' ? undefined : JSON.parse(text) };
};

async function notesJourney(t: ExecutionContext, url: string): Promise<void> {
  const metadata = await call(`${url}/.well-known/oauth-protected-resource`, 'GET');
  t.is(metadata.json.resource, AUDIENCE);
  const anonymous = await call(`${url}/notes`, 'GET');
  t.is(anonymous.status, 401);
  t.is(anonymous.response.headers.get('www-authenticate'), `Bearer realm="${AUDIENCE}"`);
  const readOnly = await call(`${url}/notes`, 'POST', await token('notes:read'));
  t.is(readOnly.status, 403);
  t.regex(readOnly.response.headers.get('www-authenticate') ?? '', /scope="notes:write"/);
  const created = await call(`${url}/notes`, 'POST', await token('notes:write'));
  t.is(created.status, 201);
  t.is(created.json.owner, 'user-1');
  const listed = await call(`${url}/notes`, 'GET', await token('notes:read'));
  t.deepEqual(listed.json, [created.json]);
  const stranger = await call(
    `${url}/notes/${created.json.id}`,
    'DELETE',
    await token('notes:write', 'user-2'),
  );
  t.is(stranger.status, 403);
  t.is(stranger.json.error, 'forbidden');
  const owner = await call(`${url}/notes/${created.json.id}`, 'DELETE', await token('notes:write'));
  t.is(owner.status, 204);
}

const options = () => ({ issuer: ISSUER, audience: AUDIENCE, jwksUri: issuer.jwksUri });

test('the Express guide API', async (t) => {
  const server = await listen(createServer(createExpressNotesApi(options())));
  t.teardown(server.close);
  await notesJourney(t, server.url);
});

test('the Fastify guide API', async (t) => {
  const app = await createFastifyNotesApi(options());
  t.teardown(() => app.close());
  await app.listen({ port: 0, host: '127.0.0.1' });
  await notesJourney(t, `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`);
});

test('the node:http guide API', async (t) => {
  const server = await listen(createNodeNotesApi(options()));
  t.teardown(server.close);
  await notesJourney(t, server.url);
});

test('the fetch guide API', async (t) => {
  const handle = createFetchNotesApi(options());
  const server = await listen(
    createServer(async (req, res) => {
      const response = await handle(
        new Request(`http://${req.headers.host}${req.url}`, {
          method: req.method,
          headers: req.headers as Record<string, string>,
        }),
      );
      res.writeHead(response.status, Object.fromEntries(response.headers));
      res.end(Buffer.from(await response.arrayBuffer()));
    }),
  );
  t.teardown(server.close);
  await notesJourney(t, server.url);
});
