// An MCP server (the Model Context Protocol's official TypeScript SDK, streamable HTTP) whose
// tools only users who signed in at Portcullis can call: @portcullis/resource-server verifies the
// access token, answers 401 with `resource_metadata` in its challenge (RFC 9728), and serves the
// protected-resource metadata that tells MCP clients where to sign in. An MCP client then finds
// Portcullis from that 401, registers itself (open dynamic registration), runs the authorization
// code flow with PKCE in the user's browser and calls the tools with the token.
// Plain JavaScript; runs on Node.js 20 and newer as is.
//
//   ISSUER=http://localhost:3000 PORT=4100 node examples/mcp-server/server.mjs
//
// Settings come from the environment: ISSUER (the authorization server) [http://localhost:3000],
// PORT [4100], PUBLIC_URL (the server's public origin) [http://localhost:$PORT]. The MCP endpoint,
// and the resource identifier registered at Portcullis, is $PUBLIC_URL/mcp.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { createResourceServer, requireScopes } from '@portcullis/resource-server';
import Koa from 'koa';
import { z } from 'zod';

/** The scope every tool call needs, defined on the resource at Portcullis. */
const SCOPE = 'mcp:tools';

const settings = readSettings(process.env);
const resource = `${settings.publicUrl}/mcp`;
const rs = createResourceServer({
  issuer: settings.issuer,
  audience: resource,
  // Challenges carry resource_metadata="<publicUrl>/.well-known/oauth-protected-resource".
  publicUrl: settings.publicUrl,
  resourceName: 'Example MCP server',
  scopes: [SCOPE],
});

const app = new Koa();
app.use(rs.metadata());
app.use(async (ctx, next) => {
  if (ctx.path !== '/mcp') {
    ctx.status = 404;
    ctx.body = { error: 'not_found' };
    return;
  }
  await next();
});
app.use(rs.authenticate());
app.use(requireScopes(SCOPE));
app.use(async (ctx) => {
  const { auth } = ctx.state;
  // Stateless: a server and a transport per request, each knowing who calls.
  const server = createMcpServer({ subject: auth.subject, clientId: auth.clientId });
  const transport = new StreamableHTTPServerTransport({
    sessionIdGenerator: undefined,
    enableJsonResponse: true,
  });
  ctx.respond = false;
  ctx.res.on('close', () => {
    void transport.close();
    void server.close();
  });
  await server.connect(transport);
  await transport.handleRequest(ctx.req, ctx.res);
});

const listener = app.listen(settings.port, () => {
  console.log(`MCP server listening on ${resource} (authorization server ${settings.issuer})`);
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    listener.closeAllConnections();
    listener.close();
  });
}

/**
 * The tools, for one caller: `whoami` answers who the token is for; `add` adds two numbers.
 * @param {{ subject: string, clientId: string }} caller
 */
function createMcpServer(caller) {
  const server = new McpServer({ name: 'portcullis-example', version: '0.1.0' });
  server.registerTool(
    'whoami',
    { title: 'Who am I', description: 'The signed-in user and the MCP client calling for them' },
    async () => ({
      content: [
        { type: 'text', text: `user ${caller.subject}, through client ${caller.clientId}` },
      ],
    }),
  );
  server.registerTool(
    'add',
    {
      title: 'Add',
      description: 'Adds two numbers',
      inputSchema: { a: z.number(), b: z.number() },
    },
    async ({ a, b }) => ({ content: [{ type: 'text', text: String(a + b) }] }),
  );
  return server;
}

/**
 * Reads the settings, or stops with one line saying what is wrong.
 * @param {NodeJS.ProcessEnv} env
 */
function readSettings(env) {
  const port = Number(env.PORT || 4100);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    fail(`PORT must be a port number, not "${env.PORT}"`);
  }
  return {
    port,
    issuer: url('ISSUER', env.ISSUER || 'http://localhost:3000'),
    publicUrl: url('PUBLIC_URL', env.PUBLIC_URL || `http://localhost:${port}`).replace(/\/+$/, ''),
  };
}

/**
 * @param {string} name
 * @param {string} value
 */
function url(name, value) {
  if (!URL.canParse(value) || !/^https?:$/.test(new URL(value).protocol)) {
    fail(`${name} must be an http(s) URL, not "${value}"`);
  }
  return value;
}

/**
 * @param {string} message
 * @returns {never}
 */
function fail(message) {
  console.error(`mcp-server: ${message}`);
  process.exit(1);
}
