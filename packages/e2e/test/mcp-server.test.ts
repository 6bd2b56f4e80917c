// The Model Context Protocol end to end: examples/mcp-server (the official TypeScript SDK's
// server, streamable HTTP, behind @portcullis/resource-server) as a process of its own, and the
// SDK's own client with its OAuthClientProvider, which knows nothing but the MCP server's URL:
// it finds Portcullis from the server's 401 (RFC 9728 resource_metadata), reads its metadata,
// registers itself with no initial access token (open dynamic registration), sends the user
// through the authorization code flow with PKCE and the resource indicator (RFC 8707), here a
// scripted browser that signs in and approves the consent page, and calls a tool.
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type OAuthClientProvider,
  UnauthorizedError,
} from '@modelcontextprotocol/sdk/client/auth.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type {
  OAuthClientInformationMixed,
  OAuthClientMetadata,
  OAuthTokens,
} from '@modelcontextprotocol/sdk/shared/auth.js';
import { createTestDatabase, freePort, type TestDatabase } from '@portcullis/storage/testing';
import test, { type ExecutionContext } from 'ava';
import { decodeJwt } from 'jose';
import { HttpBrowser, type Stack, startStack, submitForm } from '../src/index.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const MCP_SERVER = path.join(root, 'examples/mcp-server/server.mjs');
const PASSWORD = 'mcp-user-password';

let database: TestDatabase;
let stack: Stack;
let mcpPort: number;
let publicUrl: string;
let resource: string;
let aliceId: string;

test.before(async () => {
  mcpPort = await freePort();
  publicUrl = `http://127.0.0.1:${mcpPort}`;
  resource = `${publicUrl}/mcp`;
  database = await createTestDatabase();
  stack = await startStack(database.db, database.url, {
    PORTCULLIS_REGISTRATION: 'on',
    PORTCULLIS_REGISTRATION_OPEN_RESOURCES: resource,
  });
  // What the guide tells the operator to run.
  await stack.cli([
    'resources',
    'create',
    '--identifier',
    resource,
    '--name',
    'Example MCP server',
    '--scope',
    "mcp:tools=Use the example MCP server's tools",
  ]);
  const alice = await stack.cli(
    ['users', 'create', '--username', 'alice', '--password-stdin'],
    `${PASSWORD}\n`,
  );
  aliceId = String(alice.id);
});

test.after.always(async () => {
  await stack?.stop();
  await database?.drop();
});

/** Starts the example as its README says; resolves once it listens. */
async function startMcpServer(t: ExecutionContext) {
  const child: ChildProcess = spawn(process.execPath, [MCP_SERVER], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      ISSUER: stack.issuer,
      PORT: String(mcpPort),
      PUBLIC_URL: publicUrl,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    return exited.then(() => undefined);
  });
  await new Promise<void>((resolve, reject) => {
    const check = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('MCP server listening on')) resolve();
    };
    child.stdout?.on('data', check);
    child.stderr?.on('data', check);
    void exited.then((code) => reject(new Error(`server.mjs exited with ${code}: ${output}`)));
  });
}

/**
 * The MCP client's side of OAuth, kept in memory as a desktop client keeps it on disk; its
 * "browser" is a scripted one that signs alice in and approves the consent page, and stops at
 * the redirect to the client's loopback address with the code.
 */
function scriptedProvider(redirectUrl: string, client?: OAuthClientInformationMixed) {
  const saved: {
    client?: OAuthClientInformationMixed;
    tokens?: OAuthTokens;
    verifier?: string;
    callback?: URL;
    authorizationUrl?: URL;
    consentPage?: string;
  } = client ? { client } : {};
  const provider: OAuthClientProvider = {
    get redirectUrl() {
      return redirectUrl;
    },
    get clientMetadata(): OAuthClientMetadata {
      return {
        client_name: 'Scripted MCP client',
        redirect_uris: [redirectUrl],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'none',
      };
    },
    state: () => 'state-of-the-test',
    clientInformation: () => saved.client,
    saveClientInformation: (client) => {
      saved.client = client;
    },
    tokens: () => saved.tokens,
    saveTokens: (tokens) => {
      saved.tokens = tokens;
    },
    saveCodeVerifier: (verifier) => {
      saved.verifier = verifier;
    },
    codeVerifier: () => saved.verifier as string,
    async redirectToAuthorization(authorizationUrl) {
      saved.authorizationUrl = authorizationUrl;
      const browser = new HttpBrowser(stack.issuer);
      let step = await browser.follow(authorizationUrl.href);
      step = (await submitForm(browser, step, { username: 'alice', password: PASSWORD })).next;
      // A consent page, unless the server already redirects back.
      if (step.left === undefined) {
        saved.consentPage = await step.response.clone().text();
        step = (await submitForm(browser, step, { decision: 'approve' })).next;
      }
      saved.callback = new URL(step.left as string);
    },
  };
  return { provider, saved };
}

test('the SDK client finds Portcullis from the 401, registers, signs alice in with PKCE and calls a tool', async (t) => {
  await startMcpServer(t);

  // What the MCP client meets first.
  const anonymous = await fetch(resource, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
  t.is(anonymous.status, 401);
  t.is(
    anonymous.headers.get('www-authenticate'),
    `Bearer realm="${resource}", resource_metadata="${publicUrl}/.well-known/oauth-protected-resource"`,
  );

  // The metadata, also where RFC 9728 §3.1 puts it for a resource with a path.
  for (const path of ['', '/mcp']) {
    const metadata = await fetch(`${publicUrl}/.well-known/oauth-protected-resource${path}`);
    t.like(await metadata.json(), {
      resource,
      authorization_servers: [stack.issuer],
      scopes_supported: ['mcp:tools'],
    });
  }

  const redirectUrl = `http://127.0.0.1:${await freePort()}/callback`;
  const { provider, saved } = scriptedProvider(redirectUrl);
  const client = new Client({ name: 'scripted-mcp-client', version: '1.0.0' });
  // The first connection ends at the authorization redirect: the SDK's UnauthorizedError.
  await t.throwsAsync(
    client.connect(
      new StreamableHTTPClientTransport(new URL(resource), { authProvider: provider }),
    ),
    { instanceOf: UnauthorizedError },
  );

  // It registered with Portcullis's /reg as a public client for this resource.
  const clientId = String(saved.client?.client_id);
  const registered = await stack.cli(['clients', 'show', clientId]);
  t.is(registered.public, true);
  t.deepEqual(registered.resources, [resource]);
  t.is(registered.registered_via, 'dynamic');
  t.regex(String(registered.name), /^Scripted MCP client \(/);
  // It asked for the metadata's scope and resource, with S256 PKCE.
  const asked = saved.authorizationUrl as URL;
  t.is(asked.origin, stack.issuer);
  t.is(asked.searchParams.get('resource'), resource);
  t.is(asked.searchParams.get('scope'), 'mcp:tools');
  t.is(asked.searchParams.get('code_challenge_method'), 'S256');
  t.regex(
    saved.consentPage ?? '',
    /Use the example MCP server&#39;s tools|Use the example MCP server's tools/,
  );
  t.is(saved.callback?.origin + (saved.callback?.pathname ?? ''), redirectUrl);
  t.is(saved.callback?.searchParams.get('state'), 'state-of-the-test');

  // Back at the client's redirect URI: the code for tokens, then a new connection.
  const transport = new StreamableHTTPClientTransport(new URL(resource), {
    authProvider: provider,
  });
  await transport.finishAuth(saved.callback?.searchParams.get('code') as string);
  const claims = decodeJwt(saved.tokens?.access_token as string);
  t.is(claims.aud, resource, 'audience-restricted to the MCP server (RFC 8707)');
  t.is(claims.sub, aliceId);
  t.is(claims.client_id, clientId);
  t.is(claims.scope, 'mcp:tools');

  const connected = new Client({ name: 'scripted-mcp-client', version: '1.0.0' });
  await connected.connect(transport);
  t.teardown(() => connected.close());
  const tools = await connected.listTools();
  t.deepEqual(tools.tools.map((tool) => tool.name).sort(), ['add', 'whoami']);
  const whoami = await connected.callTool({ name: 'whoami' });
  t.deepEqual(whoami.content, [
    { type: 'text', text: `user ${aliceId}, through client ${clientId}` },
  ]);
  const sum = await connected.callTool({ name: 'add', arguments: { a: 2, b: 40 } });
  t.deepEqual(sum.content, [{ type: 'text', text: '42' }]);

  // The desktop client starts again on another loopback port, with the client it registered:
  // a public client redirecting to loopback may come back on any port (RFC 8252 §7.3).
  const otherPort = `http://127.0.0.1:${await freePort()}/callback`;
  const again = scriptedProvider(otherPort, saved.client);
  await t.throwsAsync(
    new Client({ name: 'scripted-mcp-client', version: '1.0.0' }).connect(
      new StreamableHTTPClientTransport(new URL(resource), { authProvider: again.provider }),
    ),
    { instanceOf: UnauthorizedError },
  );
  t.is(again.saved.client?.client_id, clientId, 'no second registration');
  // A native client's identity is not proven (any local program can listen on loopback), so the
  // user confirms it each time (RFC 8252 §8.6), the scopes shown as already allowed.
  t.regex(again.saved.consentPage ?? '', /It asks you to confirm access again/);
  t.is(`${again.saved.callback?.origin}${again.saved.callback?.pathname}`, otherPort);
  const restarted = new StreamableHTTPClientTransport(new URL(resource), {
    authProvider: again.provider,
  });
  await restarted.finishAuth(again.saved.callback?.searchParams.get('code') as string);
  const second = new Client({ name: 'scripted-mcp-client', version: '1.0.0' });
  await second.connect(restarted);
  t.teardown(() => second.close());
  const whoamiAgain = await second.callTool({ name: 'whoami' });
  t.deepEqual(whoamiAgain.content, [
    { type: 'text', text: `user ${aliceId}, through client ${clientId}` },
  ]);

  // The operator's trail: the registration, by no one in particular.
  const created = await database
    .db('audit_events')
    .where({ type: 'client.created', client_id: clientId })
    .first();
  t.is(created?.actor, 'anonymous');
});
