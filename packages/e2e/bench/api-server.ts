// The example API alone in its own process for the benchmark, like any other server measured:
// verifying tokens of the issuer in BENCH_ISSUER for the audience BENCH_AUDIENCE, with the
// verified-token cache unless BENCH_CACHE=off. Prints `{"url": ...}` as one JSON line.
import { startExampleApi } from '@portcullis/example-api';

const issuer = process.env.BENCH_ISSUER;
const audience = process.env.BENCH_AUDIENCE;
if (!issuer || !audience) throw new Error('api-server.ts needs BENCH_ISSUER and BENCH_AUDIENCE');
const api = await startExampleApi({
  issuer,
  audience,
  jwksUri: `${issuer}/jwks`,
  ...(process.env.BENCH_CACHE === 'off' && { cache: false as const }),
  port: 0,
});
process.stdout.write(`${JSON.stringify({ url: api.url })}\n`);
process.on('SIGTERM', async () => {
  await api.close();
  process.exit(0);
});
