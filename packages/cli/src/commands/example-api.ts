import {
  parseHost,
  parsePort,
  rejectUnknownSettings,
  SETTING,
} from '@portcullis/auth-server/config';
import type { Command } from 'commander';
import { CliError } from '../errors.ts';
import { listenFailure } from '../listen-failure.ts';
import { printJsonLine } from '../output.ts';
import type { Io } from '../runtime.ts';
import { handleSignals, type Stoppable } from '../stack.ts';

/** What `example-api` runs with, read from the environment by {@link readExampleApiConfig}. */
interface ExampleApiConfig {
  issuer: string;
  resource: string;
  /** Undefined: discovered from the issuer's metadata. */
  jwksUri: string | undefined;
  host: string;
  port: number;
}

/**
 * `portcullis example-api`: the example notes API alone, without the authorization server or a
 * database (what `dev` starts next to them), for Compose and Kubernetes. Configured by the
 * environment; once listening it says so on stderr, or with `--json` as one line of JSON on
 * stdout; stops on SIGTERM or SIGINT.
 */
export function registerExampleApi(program: Command, io: Io): void {
  program
    .command('example-api')
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
Register the resource with the scopes notes:read and notes:write at the authorization server.
Runs until SIGTERM or SIGINT, then stops and exits 0; exits 1 when it cannot start (a bad
PORTCULLIS_* value, a port in use).

Examples:
  $ portcullis example-api    # tokens of http://localhost:3000 for http://localhost:4000
  $ PORTCULLIS_ISSUER=https://auth.example.com PORTCULLIS_API_RESOURCE=https://notes.example.com \\
      PORTCULLIS_API_JWKS_URI=http://portcullis:3000/jwks portcullis example-api`,
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
          // Challenges then name the API's RFC 9728 metadata URL (resource_metadata).
          publicUrl: config.resource,
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
            host: config.host,
            port,
          });
        } else {
          io.stderr.write(
            `portcullis example API ${config.resource} on ${config.host}:${port}, accepting tokens of ${config.issuer}\n`,
          );
        }
      } catch (error) {
        dispose();
        throw error;
      }
      await stopped;
    });
}

/**
 * Reads the example API's settings. Like `serve`, it refuses a `PORTCULLIS_*` variable that is no
 * setting and a bad value, naming the variable; nothing falls back silently.
 */
function readExampleApiConfig(env: NodeJS.ProcessEnv): ExampleApiConfig {
  rejectUnknownSettings(env);
  const port = parsePort(env.PORTCULLIS_API_PORT, 'PORTCULLIS_API_PORT');
  const issuer =
    env.PORTCULLIS_ISSUER ||
    SETTING.PORTCULLIS_ISSUER.value(parsePort(env.PORTCULLIS_PORT, 'PORTCULLIS_PORT'));
  const resource = env.PORTCULLIS_API_RESOURCE || SETTING.PORTCULLIS_API_RESOURCE.value(port);
  const jwksUri = env.PORTCULLIS_API_JWKS_URI || undefined;
  return {
    // The server drops a lone trailing slash from its issuer, and tokens carry it so.
    issuer: issuerUrl(issuer).replace(/^([^/]+\/\/[^/]+)\/$/, '$1'),
    resource: absoluteUrl(resource, 'PORTCULLIS_API_RESOURCE'),
    jwksUri: jwksUri === undefined ? undefined : httpUrl(jwksUri, 'PORTCULLIS_API_JWKS_URI'),
    host:
      parseHost(env.PORTCULLIS_API_HOST, 'PORTCULLIS_API_HOST') ??
      SETTING.PORTCULLIS_API_HOST.value,
    port,
  };
}

// A resource identifier (RFC 8707): an absolute URI without a fragment.
function absoluteUrl(value: string, name: string): string {
  if (!URL.canParse(value) || new URL(value).hash !== '' || value.includes('#')) {
    throw new CliError(`${name} must be an absolute URL without a fragment, got "${value}"`);
  }
  return value;
}

// An http(s) URL: where the JWKS is.
function httpUrl(value: string, name: string): string {
  const url = URL.canParse(value) ? new URL(value) : undefined;
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new CliError(`${name} must be an http or https URL, got "${value}"`);
  }
  return value;
}

// An issuer identifier (RFC 8414 §2): an http(s) URL without query, fragment or credentials.
function issuerUrl(value: string): string {
  const url = new URL(httpUrl(value, 'PORTCULLIS_ISSUER'));
  if (url.search || value.includes('#') || url.username || url.password) {
    throw new CliError('PORTCULLIS_ISSUER must not have a query, fragment or credentials');
  }
  return value;
}
