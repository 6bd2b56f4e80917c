/**
 * The heavy parts of the CLI, loaded only by the commands that run them: a command's module
 * imports commander, its own helpers and `@portcullis/auth-server/config` (no database, no
 * server), and its action loads the rest; program.ts loads the modules of the one group the
 * command line names. So `portcullis --help`, a usage error or `secrets generate` never load
 * PostgreSQL's client, and `clients list` never loads oidc-provider or Koa (start-up times in
 * docs/operators.md).
 *
 * @example
 * const { createClientsService } = await loadServices();
 */

/** Services on the database: clients, resources, users, grants, keys, the janitor. */
export const loadServices = () => import('@portcullis/auth-server/services');

/** Storage: migrations, repositories, the embedded PostgreSQL. */
export const loadStorage = () => import('@portcullis/storage');

/** The JSON log and the cluster metrics server, without the server (the workers' primary). */
export const loadObservability = () => import('@portcullis/auth-server/observability');

/** The whole authorization server: the HTTP server, oidc-provider, the doctor, tokens. */
export const loadAuthServer = () => import('@portcullis/auth-server');
