import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import { createCodeClient, type Stack, startStack } from '../src/index.ts';
import { pressProviderButton, subAtCallback } from './identity-provider-fixtures.ts';

// GitHub cannot be reached from here: a stand-in serving GitHub-shaped endpoints (for tests only)
// checks what GitHub would (client secret, redirect URI, PKCE) and answers as GitHub does.
const REDIRECT = 'http://127.0.0.1:8772/callback';
const GITHUB_SECRET = randomBytes(24).toString('hex');
const GITHUB_USER = { id: 4242, login: 'octo-cat', name: 'Octo Cat' };

let database: TestDatabase;
let stack: Stack;
let github: Server;
let githubUrl: string;
let app: { client_id: string; client_secret: string };
/** Codes handed out by the stand-in, with the PKCE challenge and redirect URI they were for. */
const codes = new Map<string, { challenge: string; redirectUri: string }>();
const tokens = new Set<string>();

test.before(async () => {
  github = createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', githubUrl);
    const json = (status: number, body: unknown) =>
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (url.pathname === '/login/oauth/authorize') {
      const code = randomBytes(16).toString('hex');
      codes.set(code, {
        challenge: url.searchParams.get('code_challenge') ?? '',
        redirectUri: url.searchParams.get('redirect_uri') ?? '',
      });
      const back = new URL(url.searchParams.get('redirect_uri') ?? '');
      back.searchParams.set('code', code);
      back.searchParams.set('state', url.searchParams.get('state') ?? '');
      response.writeHead(302, { location: back.href }).end();
      return;
    }
    if (url.pathname === '/login/oauth/access_token' && request.method === 'POST') {
      let body = '';
      for await (const chunk of request) body += chunk;
      const form = new URLSearchParams(body);
      const issued = codes.get(form.get('code') ?? '');
      codes.delete(form.get('code') ?? '');
      const challenge = createHash('sha256')
        .update(form.get('code_verifier') ?? '')
        .digest('base64url');
      // GitHub answers a bad request with 200 and an error body.
      if (
        !issued ||
        form.get('client_secret') !== GITHUB_SECRET ||
        issued.challenge !== challenge ||
        issued.redirectUri !== form.get('redirect_uri')
      ) {
        return json(200, { error: 'bad_verification_code' });
      }
      const token = `gho_${randomBytes(16).toString('hex')}`;
      tokens.add(token);
      return json(200, {
        access_token: token,
        token_type: 'bearer',
        scope: 'read:user,user:email',
      });
    }
    if (!tokens.has((request.headers.authorization ?? '').replace(/^Bearer /, ''))) {
      return json(401, { message: 'Bad credentials' });
    }
    if (url.pathname === '/api/user') return json(200, GITHUB_USER);
    if (url.pathname === '/api/user/emails') {
      return json(200, [
        { email: 'octo@example.com', primary: true, verified: true },
        { email: 'other@example.com', primary: false, verified: true },
      ]);
    }
    json(404, { message: 'Not Found' });
  });
  await new Promise<void>((resolve) => github.listen(0, '127.0.0.1', resolve));
  githubUrl = `http://127.0.0.1:${(github.address() as AddressInfo).port}`;

  database = await createTestDatabase();
  stack = await startStack(database.db, database.url);
  await stack.cli(
    [
      'idps',
      'create',
      '--name',
      'GitHub',
      '--kind',
      'github',
      '--authorization-endpoint',
      `${githubUrl}/login/oauth/authorize`,
      '--token-endpoint',
      `${githubUrl}/login/oauth/access_token`,
      '--api-url',
      `${githubUrl}/api`,
      '--client-id',
      'Iv1.standin',
      '--client-secret-stdin',
      '--jit',
    ],
    `${GITHUB_SECRET}\n`,
  );
  app = await createCodeClient(stack, 'Notes', REDIRECT, 'openid notes:read', ['--first-party']);
});
test.after.always(async () => {
  await stack?.stop();
  await database?.drop();
  github?.close();
});

test('GitHub: OAuth 2 with PKCE and state, the user from /user and /user/emails, created just in time and found again by id', async (t) => {
  const signIn = async () => {
    const { browser, config, verifier, out } = await pressProviderButton(
      stack.issuer,
      app,
      REDIRECT,
      'GitHub',
    );
    const toGithub = new URL(out.left as string);
    t.is(toGithub.searchParams.get('code_challenge_method'), 'S256');
    t.truthy(toGithub.searchParams.get('state'));
    const back = await fetch(toGithub, { redirect: 'manual' });
    const end = await browser.follow(back.headers.get('location') as string);
    return subAtCallback(config, verifier, end.left as string);
  };
  const sub = await signIn();
  const user = await database.db('users').where({ id: sub }).first();
  t.like(user, {
    username: 'octo-cat',
    email: 'octo@example.com',
    email_verified: true,
    name: 'Octo Cat',
  });
  const link = await database.db('identity_provider_links').where({ user_id: sub }).first();
  t.is(link?.upstream_sub, '4242');
  t.is(await signIn(), sub, 'the same user, by GitHub id');
  t.false(
    JSON.stringify(await database.db('oidc_artifacts').select('payload')).includes('gho_'),
    'the GitHub token is not stored',
  );
});
