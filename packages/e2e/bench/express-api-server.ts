// One Express 5 API for the benchmark, `GET /me` needing a token with `notes:read` from the
// issuer in BENCH_ISSUER for the audience BENCH_AUDIENCE, verified by BENCH_VERIFIER:
// `portcullis` (@portcullis/resource-server/express; BENCH_CACHE=off turns its verified-token
// cache off) or `auth0` (express-oauth2-jwt-bearer at its strictest: `strict: true`, the RFC 9068
// profile). Prints `{"url": ...}` as one JSON line.
import * as portcullis from '@portcullis/resource-server/express';
import express, { type RequestHandler } from 'express';
import * as auth0 from 'express-oauth2-jwt-bearer';

const issuer = process.env.BENCH_ISSUER;
const audience = process.env.BENCH_AUDIENCE;
const verifier = process.env.BENCH_VERIFIER;
if (!issuer || !audience)
  throw new Error('express-api-server.ts needs BENCH_ISSUER and BENCH_AUDIENCE');
const jwksUri = `${issuer}/jwks`;

function guards(): RequestHandler[] {
  if (verifier === 'portcullis') {
    const rs = portcullis.createResourceServer({
      issuer: issuer as string,
      audience: audience as string,
      jwksUri,
      ...(process.env.BENCH_CACHE === 'off' && { cache: false as const }),
    });
    return [rs.authenticate(), portcullis.requireScopes('notes:read')] as RequestHandler[];
  }
  if (verifier === 'auth0') {
    return [
      auth0.auth({ issuer, jwksUri, audience, tokenSigningAlg: 'ES256', strict: true }),
      auth0.requiredScopes('notes:read'),
    ];
  }
  throw new Error('BENCH_VERIFIER must be portcullis or auth0');
}

const app = express();
app.get('/me', ...guards(), (req, res) => {
  const sub = res.locals.auth?.subject ?? req.auth?.payload.sub;
  res.json({ sub });
});
const server = app.listen(0, '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}` })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
