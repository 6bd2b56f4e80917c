import { randomBytes } from 'node:crypto';
import { loadOrCreateDevSecrets, parsePort, SETTING } from '@portcullis/auth-server/config';

import type { Command } from 'commander';
import { readApiDpop, readIntrospectionCache, readRevocationFeed } from '../example-api-config.ts';
import { loadStorage } from '../lazy.ts';
import { listenFailure } from '../listen-failure.ts';
import { printJsonLine, printLines, warn } from '../output.ts';
import { localOnly } from '../remote/local-only.ts';
import { dataDir, type Io, openDatabase } from '../runtime.ts';
import { EXAMPLE_API_CLIENT_NAME, seedExampleApiClient } from '../seed-example-api-client.ts';
import { type SeededExample, seedExampleResource } from '../seed-example-resource.ts';
import {
  handleSignals,
  readConfig,
  type Stoppable,
  serverLogger,
  startAuthServer,
} from '../stack.ts';

/**
 * `portcullis dev`: everything on one machine with nothing but Node.js. Starts the embedded
 * PostgreSQL (unless DATABASE_URL is set), migrates, seeds the example API resource on first
 * run (and moves it when PORTCULLIS_API_PORT changed since) with a client the API introspects
 * opaque tokens as, starts the authorization server and the example API (which accepts both the
 * issuer's JWTs and its opaque tokens), and prints how to try them (with `--json`: one line of
 * JSON saying what runs and what was set up).
 */
export function registerDev(program: Command, io: Io): void {
  localOnly(program.command('dev'), 'it runs the whole stack here, on its own database')
    .description('run the whole stack locally: database, authorization server, example API')
    .option('--json', 'print the start-up summary as one line of JSON instead of the guide')
    .addHelpText(
      'after',
      `
Runs until Ctrl-C (SIGINT) or SIGTERM, then stops everything and exits 0; a second Ctrl-C
exits at once with 130. Exits 1 when it cannot start (a bad PORTCULLIS_* value, a port in use).

Examples:
  $ PORTCULLIS_PORT=3000 PORTCULLIS_API_PORT=4000 portcullis dev
  $ portcullis dev --json     # {"issuer":"http://localhost:3000","api":...}`,
    )
    .action(async (options: { json?: boolean }) => {
      const { findPostgresBinaries, migrateLatest } = await loadStorage();
      const apiPort = parsePort(io.env.PORTCULLIS_API_PORT, 'PORTCULLIS_API_PORT');
      const maxCacheSeconds = readIntrospectionCache(io.env);
      const dpop = readApiDpop(io.env);
      const revocationFeed = readRevocationFeed(io.env, true);
      // Check the rest of the environment before the data folder is touched, so a bad value
      // leaves nothing behind (placeholder secrets: the real ones are read just below).
      readConfig(io, 'development', {
        cookieKeys: [randomBytes(32).toString('base64url')],
        keyEncryptionKey: randomBytes(32).toString('base64url'),
      });
      // Likewise an install without the optional embedded PostgreSQL: one line, nothing written.
      if (!io.env.DATABASE_URL) await findPostgresBinaries();
      const dir = dataDir(io.env);
      const { secrets, created } = await loadOrCreateDevSecrets(dir);
      const config = readConfig(io, 'development', secrets);
      if (created || !io.env.PORTCULLIS_KEY_ENCRYPTION_KEY) {
        warn(
          io,
          `development secrets from ${dir}/dev-secrets.json; never use them in production (portcullis serve refuses them)`,
        );
      }

      const parts: Stoppable[] = [];
      const { stopped, dispose } = handleSignals(io, parts);
      try {
        const opened = await openDatabase(io);
        parts.push({ stop: () => opened.close() });
        const migrations = await migrateLatest(opened.db);
        const resource = SETTING.PORTCULLIS_API_RESOURCE.value(apiPort);
        const seed = await seedExampleResource(opened.db, resource);
        if (seed.moved) io.stderr.write(`${movedLine(seed.moved, resource)}\n`);
        // Its secret stays in the data folder: never printed, not even with --json.
        const apiClient = await seedExampleApiClient(opened.db, dir, resource);
        if (apiClient.disabled) {
          warn(
            io,
            `the example API's client ${EXAMPLE_API_CLIENT_NAME} is disabled, so the API answers opaque tokens with 503: \`portcullis clients enable ${apiClient.clientId}\``,
          );
        }

        // Readable lines on a terminal; JSON for a pipe, a file or --json (PORTCULLIS_LOG_FORMAT
        // chooses either way).
        const logger = await serverLogger(io, config, !options.json);
        const server = await startAuthServer(opened.db, opened.database.url, config, logger, io);
        parts.push(server);
        // Loaded here so that other commands do not pay for the example API's modules.
        const { startExampleApi } = await import('@portcullis/example-api');
        const api = await startExampleApi({
          issuer: config.issuer,
          audience: resource,
          // Straight to the server we just started, whatever name the issuer uses.
          jwksUri: `http://127.0.0.1:${server.port}/jwks`,
          // Opaque tokens (`portcullis tokens issue`) are asked about there, as its own client.
          introspection: {
            endpoint: `http://127.0.0.1:${server.port}/token/introspection`,
            clientId: apiClient.clientId,
            clientSecret: apiClient.clientSecret,
            maxCacheSeconds,
          },
          // Challenges then name the API's RFC 9728 metadata URL (resource_metadata), and DPoP
          // proofs must be made for it.
          publicUrl: resource,
          dpop,
          // Revoked tokens refused within seconds, as the same client, from the server we started.
          ...(revocationFeed === undefined
            ? {}
            : {
                revocationFeed: {
                  endpoint: `http://127.0.0.1:${server.port}/revocations`,
                  graceSeconds: revocationFeed.graceSeconds,
                },
              }),
          port: apiPort,
          host: '127.0.0.1',
        }).catch((error: unknown) => {
          throw listenFailure(error, { port: 'PORTCULLIS_API_PORT', host: 'PORTCULLIS_API_HOST' });
        });
        parts.push({ stop: () => api.close() });
        if (options.json) {
          printJsonLine(io, {
            issuer: config.issuer,
            api: resource,
            port: server.port,
            api_port: apiPort,
            database: io.env.DATABASE_URL ? 'DATABASE_URL' : 'embedded',
            data_dir: dir,
            database_location: opened.database.location ?? null,
            migrations_applied: migrations,
            seeded_resources: seed.seeded ? [resource] : [],
            // The example API's resource of an earlier run on another PORTCULLIS_API_PORT.
            replaced_resources: seed.moved ? [seed.moved.from] : [],
            // The client the example API introspects opaque tokens as (its secret: never shown).
            introspection_client_id: apiClient.clientId,
          });
        } else {
          printLines(io, tryIt(config.issuer, resource, opened.database.location));
        }
      } catch (error) {
        dispose();
        for (const part of parts.reverse()) await part.stop().catch(() => {});
        throw error;
      }
      await stopped;
    });
}

/** `moved the example API's resource from http://localhost:4000 to ...`, for people. */
function movedLine(moved: NonNullable<SeededExample['moved']>, resource: string): string {
  const clients =
    moved.clients.length === 0
      ? 'no client was allowed it'
      : `${moved.clients.map((c) => c.name).join(', ')} now ${moved.clients.length === 1 ? 'has' : 'have'} ${resource} instead`;
  return `PORTCULLIS_API_PORT changed: moved the example API's resource from ${moved.from} to ${resource}, with its scopes; ${clients}`;
}

function tryIt(issuer: string, api: string, embedded: string | undefined): string[] {
  return [
    '',
    `Portcullis is running: authorization server ${issuer}, example API ${api}`,
    embedded
      ? `Database: the embedded PostgreSQL in ${embedded}, kept between runs (\`node_modules/.bin/portcullis db remove-embedded\` deletes it)`
      : 'Database: the PostgreSQL server named by DATABASE_URL',
    '',
    'Try it from another terminal in this folder:',
    '',
    '  # 1. register a client (the secret is shown once)',
    `  node_modules/.bin/portcullis clients create --name demo-$RANDOM --grant client_credentials --resource ${api} --scope "notes:read notes:write" --first-party`,
    '',
    '  # 2. get an access token with its client_id and client_secret',
    `  curl -s -u "CLIENT_ID:CLIENT_SECRET" -d grant_type=client_credentials -d scope=notes:read ${issuer}/token`,
    '',
    '  # 3. call the API with the access_token from step 2',
    `  curl -s -H "Authorization: Bearer ACCESS_TOKEN" ${api}/me`,
    `  curl -s -H "Authorization: Bearer ACCESS_TOKEN" ${api}/notes`,
    '',
    '  # or issue a long-lived opaque token for that client (revocable; the API introspects it)',
    `  node_modules/.bin/portcullis tokens issue --client CLIENT_ID --scope notes:read --resource ${api}`,
    `  curl -s -H "Authorization: Bearer OPAQUE_TOKEN" ${api}/notes`,
    '',
    '  # what the API says about itself (RFC 9728), no token needed',
    `  curl -s ${api}/.well-known/oauth-protected-resource`,
    '',
    'Press Ctrl-C to stop everything.',
    '',
  ];
}
