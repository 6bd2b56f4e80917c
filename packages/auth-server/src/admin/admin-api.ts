import { createResourceServer } from '@portcullis/resource-server';
import type { Database } from '@portcullis/storage';
import type { ServerConfig } from '../config/server-config.ts';
import type { ServerEnvironment } from '../config/server-environment.ts';
import { ADMIN_RESOURCE, ADMIN_RESOURCE_NAME, ADMIN_SCOPES } from '../domain/admin-api.ts';
import type { Logger } from '../observability/logger.ts';
import type { HostRoute, RouteHandler } from '../routes/route.ts';
import { adminHandler } from './admin-handler.ts';
import { adminOperations, routeName, routePath } from './admin-routes.ts';
import { createAdminValidator } from './schema-validator.ts';

/** What {@link createAdminApi} needs. */
export interface AdminApiDeps {
  db: Database;
  config: Pick<ServerConfig, 'issuer' | 'mode' | 'keyEncryptionKey'>;
  /** Where `config` came from: the doctor's operation judges it. */
  environment: ServerEnvironment;
  logger: Logger;
}

/** The admin API, ready to mount: its host routes, and what to stop on shutdown. */
export interface AdminApi {
  routes: HostRoute[];
  close(): Promise<void>;
}

/**
 * The admin REST API (PORTCULLIS_ADMIN_API=on) as host routes under /admin/v1, protected by
 * Portcullis itself: `@portcullis/resource-server` verifies the access tokens this server issued
 * for `urn:portcullis:admin` (JWT, Bearer or DPoP-bound), fetching the keys from the issuer's
 * published JWKS like any other API. Its protected-resource metadata (RFC 9728) is served at
 * /.well-known/oauth-protected-resource. Nothing is fetched before the first token arrives.
 *
 * @example
 * const admin = createAdminApi({ db, config, environment: { env, dataDir }, logger });
 * const routing = createHostRouting([...routeTable(deps), ...admin.routes]);
 */
export function createAdminApi(deps: AdminApiDeps): AdminApi {
  const { issuer } = deps.config;
  const rs = createResourceServer({
    issuer,
    audience: ADMIN_RESOURCE,
    publicUrl: issuer,
    resourceName: ADMIN_RESOURCE_NAME,
    scopes: ADMIN_SCOPES.map((s) => s.name),
    dpop: {},
    // Its own JWKS, from its own issuer: after a rotation (`keys rotate --now`) a token of the new
    // key is accepted within a second instead of the default 30 s cooldown.
    jwks: { cooldownMs: 1000 },
  });
  const validator = createAdminValidator();
  const handlerDeps = {
    db: deps.db,
    rs,
    logger: deps.logger,
    checkResponses: deps.config.mode === 'development',
  };
  const routes: HostRoute[] = adminOperations({
    ...deps.config,
    environment: deps.environment,
  }).map((operation) => {
    const checks = validator.get(operation.operationId);
    if (!checks) throw new Error(`${operation.operationId} is not in the OpenAPI document`);
    return {
      name: routeName(operation.path),
      method: operation.method,
      path: routePath(operation.path),
      handler: adminHandler(handlerDeps, operation, checks),
    };
  });
  routes.push({
    name: 'admin_resource_metadata',
    method: 'GET',
    path: '/.well-known/oauth-protected-resource',
    handler: rs.metadata() as unknown as RouteHandler,
  });
  return { routes, close: () => rs.close() };
}
