import { SETTING } from '@portcullis/auth-server/config';
import type { Command } from 'commander';
import { readExampleApiConfig } from '../example-api-config.ts';
import { listenFailure } from '../listen-failure.ts';
import { printJsonLine } from '../output.ts';
import { localOnly } from '../remote/local-only.ts';
import type { Io } from '../runtime.ts';
import { handleSignals, type Stoppable } from '../stack.ts';

/**
 * `portcullis example-api`: the example notes API alone, without the authorization server or a
 * database (what `dev` starts next to them), for Compose and Kubernetes. Configured by the
 * environment; once listening it says so on stderr, or with `--json` as one line of JSON on
 * stdout; stops on SIGTERM or SIGINT.
 */
export function registerExampleApi(program: Command, io: Io): void {
  localOnly(
    program.command('example-api'),
    'it is an API of its own, on this machine: run it without --server',
  )
    .description("run the example notes API alone, accepting the issuer's access tokens")
    .option('--json', 'once listening, print where as one line of JSON on stdout')
    .addHelpText(
      'after',
      `
Configured by the environment (docs/configuration.md), and needs no database:
  PORTCULLIS_ISSUER        the issuer whose tokens it accepts [http://localhost:$PORTCULLIS_PORT]
  PORTCULLIS_API_RESOURCE  its resource identifier, the audience tokens must name
                           [http://localhost:$PORTCULLIS_API_PORT]
  PORTCULLIS_API_JWKS_URI  the issuer's JWKS [discovered from the issuer's metadata]
  PORTCULLIS_API_PORT      [${SETTING.PORTCULLIS_API_PORT.default}]    PORTCULLIS_API_HOST  [${SETTING.PORTCULLIS_API_HOST.value}]
Opaque tokens too (\`portcullis tokens issue\`), by introspection [off: JWTs only]:
  PORTCULLIS_API_INTROSPECTION_CLIENT_ID     a confidential client the resource names with
                                             \`resources update --introspection-client\`
  PORTCULLIS_API_INTROSPECTION_CLIENT_SECRET its secret (or ..._SECRET_FILE: a file holding it)
  PORTCULLIS_API_INTROSPECTION_ENDPOINT      [the introspection_endpoint of the issuer's metadata]
  PORTCULLIS_API_INTROSPECTION_CACHE         how long an active answer is reused [${SETTING.PORTCULLIS_API_INTROSPECTION_CACHE.default}]
Revoked tokens refused within seconds, by following the issuer's revocation feed as the
introspection client [on with PORTCULLIS_API_INTROSPECTION_CLIENT_ID, off without]:
  PORTCULLIS_API_REVOCATION_FEED             on or off
  PORTCULLIS_API_REVOCATION_FEED_GRACE       how long tokens are still accepted while the feed
                                             cannot be reached, then 503 [${SETTING.PORTCULLIS_API_REVOCATION_FEED_GRACE.default}]
  PORTCULLIS_API_REVOCATION_FEED_ENDPOINT    [/revocations on PORTCULLIS_API_INTROSPECTION_ENDPOINT's
                                             origin when set, else the issuer's metadata]
DPoP-bound tokens (RFC 9449), with a proof made for PORTCULLIS_API_RESOURCE plus the path:
  PORTCULLIS_API_DPOP      off, allowed or required [${SETTING.PORTCULLIS_API_DPOP.default}]
Register the resource with the scopes notes:read and notes:write at the authorization server.
Runs until SIGTERM or SIGINT, then stops and exits 0; exits 1 when it cannot start (a bad
PORTCULLIS_* value, a port in use).

Examples:
  $ portcullis example-api    # tokens of http://localhost:3000 for http://localhost:4000
  $ PORTCULLIS_ISSUER=https://auth.example.com PORTCULLIS_API_RESOURCE=https://notes.example.com \\
      PORTCULLIS_API_JWKS_URI=http://portcullis:3000/jwks portcullis example-api
  $ PORTCULLIS_API_INTROSPECTION_CLIENT_ID=CLIENT_ID \\
      PORTCULLIS_API_INTROSPECTION_CLIENT_SECRET_FILE=/run/secrets/notes-api portcullis example-api`,
    )
    .action(async (options: { json?: boolean }) => {
      const config = readExampleApiConfig(io.env);
      const parts: Stoppable[] = [];
      const { stopped, dispose } = handleSignals(io, parts);
      try {
        // Loaded here so that other commands do not pay for the example API's modules.
        const { startExampleApi } = await import('@portcullis/example-api');
        const api = await startExampleApi({
          issuer: config.issuer,
          audience: config.resource,
          ...(config.jwksUri === undefined ? {} : { jwksUri: config.jwksUri }),
          ...(config.introspection === undefined ? {} : { introspection: config.introspection }),
          ...(config.revocationFeed === undefined ? {} : { revocationFeed: config.revocationFeed }),
          // Challenges then name the API's RFC 9728 metadata URL (resource_metadata), and DPoP
          // proofs must be made for it.
          publicUrl: config.resource,
          dpop: config.dpop,
          port: config.port,
          host: config.host,
        }).catch((error: unknown) => {
          throw listenFailure(error, { port: 'PORTCULLIS_API_PORT', host: 'PORTCULLIS_API_HOST' });
        });
        parts.push({ stop: () => api.close() });
        const port = Number(new URL(api.url).port);
        if (options.json) {
          printJsonLine(io, {
            issuer: config.issuer,
            resource: config.resource,
            jwks_uri: config.jwksUri ?? null,
            // Who it introspects opaque tokens as (never the secret); null: JWTs only.
            introspection_client_id: config.introspection?.clientId ?? null,
            revocation_feed: config.revocationFeed !== undefined,
            dpop: config.dpop,
            host: config.host,
            port,
          });
        } else {
          const opaque = config.introspection
            ? ` (opaque ones by introspection as client ${config.introspection.clientId})`
            : '';
          const dpop = config.dpop === 'off' ? '' : `; DPoP ${config.dpop}`;
          const feed = config.revocationFeed ? '; following the revocation feed' : '';
          io.stderr.write(
            `portcullis example API ${config.resource} on ${config.host}:${port}, accepting tokens of ${config.issuer}${opaque}${dpop}${feed}\n`,
          );
        }
      } catch (error) {
        dispose();
        throw error;
      }
      await stopped;
    });
}
