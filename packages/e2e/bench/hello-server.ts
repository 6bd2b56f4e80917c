// The ceiling: a bare Koa app answering "hello", measured under the same load as Portcullis. At
// `/me` it answers a body of the example API's `GET /me` size and shape (a client-credentials
// token's: 22-character `sub` and `client_id`, `notes:read`; 90 bytes against 17), so that "the
// hello receiving the same request" also writes the same response: the fair reference for the
// API's own work (docs/benchmarks.md).
import Koa from 'koa';

const clientId = 'x'.repeat(22);
const app = new Koa();
// The raw request target, not `ctx.path`: the plain hello must not pay for parsing a URL.
app.use((ctx) => {
  ctx.body =
    ctx.req.url === '/me'
      ? { sub: clientId, client_id: clientId, scope: 'notes:read' }
      : { hello: 'world' };
});
const server = app.listen(0, '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}/` })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
