import { SETTING } from '@portcullis/auth-server/config';
import type { Command } from 'commander';
import { parseWorkers, serveWorkers } from '../cluster.ts';
import { loadAuthServer } from '../lazy.ts';
import { printJsonLine } from '../output.ts';
import { localOnly } from '../remote/local-only.ts';
import { type Io, openDatabase, SERVER_DATABASE } from '../runtime.ts';
import {
  handleSignals,
  readConfig,
  type Stoppable,
  serverLogger,
  startAuthServer,
} from '../stack.ts';

/**
 * `portcullis serve`: the authorization server for production. It requires real secrets, never
 * migrates by itself (it refuses to start on pending migrations) and stops cleanly on SIGTERM.
 * Once listening it says so on stderr, or with `--json` as one line of JSON on stdout.
 * `--workers N` runs N such servers as worker processes sharing the port (see cluster.ts).
 */
export function registerServe(program: Command, io: Io): void {
  localOnly(program.command('serve'), 'it runs a server here, on the database')
    .description('run the authorization server in production mode')
    .option('--json', 'once listening, print where as one line of JSON on stdout')
    .option('--workers <n>', 'run n worker processes sharing the port (node:cluster)', parseWorkers)
    .addHelpText(
      'after',
      `
Requires PORTCULLIS_COOKIE_KEYS and PORTCULLIS_KEY_ENCRYPTION_KEY; see docs/configuration.md.
Purges expired tokens every PORTCULLIS_JANITOR_INTERVAL [${SETTING.PORTCULLIS_JANITOR_INTERVAL.default}] (off: never). Logs JSON on stderr
(PORTCULLIS_LOG_FORMAT=pretty: a readable line per entry).
Runs until SIGTERM or SIGINT, then stops and exits 0; exits 1 when it cannot start (missing or
bad configuration, pending migrations, database unreachable).

Example:
  $ DATABASE_URL=postgres://... PORTCULLIS_ISSUER=https://auth.example.com portcullis serve
  $ portcullis serve --workers 4    # 4 processes on one port; see docs/operators.md`,
    )
    .action(async (options: { json?: boolean; workers?: number }) => {
      if (options.workers !== undefined)
        return serveWorkers(io, { ...options, workers: options.workers });
      const { startJanitorSchedule } = await loadAuthServer();
      const config = readConfig(io, 'production');
      const parts: Stoppable[] = [];
      const { stopped, dispose } = handleSignals(io, parts);
      let opened: Awaited<ReturnType<typeof openDatabase>> | undefined;
      try {
        opened = await openDatabase(io, SERVER_DATABASE);
        const database = opened;
        parts.push({ stop: () => database.close() });
        const logger = await serverLogger(io, config);
        const server = await startAuthServer(
          database.db,
          database.database.url,
          config,
          logger,
          io,
        );
        parts.push(server);
        if (config.janitorIntervalSeconds > 0) {
          parts.push(
            startJanitorSchedule({
              db: database.db,
              intervalSeconds: config.janitorIntervalSeconds,
              logger,
            }),
          );
        }
        if (options.json) {
          printJsonLine(io, {
            issuer: config.issuer,
            host: config.host,
            port: server.port,
            janitor_interval_seconds: config.janitorIntervalSeconds,
          });
        } else {
          io.stderr.write(`portcullis serving ${config.issuer} on ${config.host}:${server.port}\n`);
        }
      } catch (error) {
        dispose();
        await opened?.close();
        throw error;
      }
      await stopped;
    });
}
