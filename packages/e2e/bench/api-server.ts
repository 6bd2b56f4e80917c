// The example API alone in its own process for the benchmark, like any other server measured:
// verifying tokens of the issuer in BENCH_ISSUER for the audience BENCH_AUDIENCE, with the
// verified-token cache unless BENCH_CACHE=off, following the revocation feed as
// BENCH_FEED_CLIENT_ID (BENCH_FEED_CLIENT_SECRET) when given. Prints `{"url": ...}` as one JSON
// line.
import { startExampleApi } from '@portcullis/example-api';

const issuer = process.env.BENCH_ISSUER;
const audience = process.env.BENCH_AUDIENCE;
if (!issuer || !audience) throw new Error('api-server.ts needs BENCH_ISSUER and BENCH_AUDIENCE');
const api = await startExampleApi({
  issuer,
  audience,
  jwksUri: `${issuer}/jwks`,
  ...(process.env.BENCH_CACHE === 'off' && { cache: false as const }),
  ...(process.env.BENCH_FEED_CLIENT_ID && {
    revocationFeed: {
      clientId: process.env.BENCH_FEED_CLIENT_ID,
      clientSecret: process.env.BENCH_FEED_CLIENT_SECRET ?? '',
    },
  }),
  port: 0,
});
process.stdout.write(`${JSON.stringify({ url: api.url })}\n`);
process.on('SIGTERM', async () => {
  await api.close();
  process.exit(0);
});
