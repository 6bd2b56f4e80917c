import type { Database } from '@portcullis/storage';
import {
  CONSOLE_CALLBACK_PATH,
  CONSOLE_PATH,
  CONSOLE_SIGNED_OUT_PATH,
  type ConsoleSessionLimits,
} from '../domain/admin-console.ts';
import type { Logger } from '../observability/logger.ts';
import { asset, serveAsset } from '../routes/assets.ts';
import type { Csrf } from '../routes/forms/csrf.ts';
import { render } from '../routes/respond.ts';
import type { HostRoute, RouteContext } from '../routes/route.ts';
import { createAdminApiClient } from './admin-api-client.ts';
import { auditRoutes } from './audit-routes.ts';
import { clientsRoutes } from './clients-routes.ts';
import { consoleCookies, consoleRequests, refused } from './console-request.ts';
import { createConsoleSessions } from './console-sessions.ts';
import { createConsoleSignIn } from './console-sign-in.ts';
import { grantsRoutes } from './grants-routes.ts';
import { keysRoutes } from './keys-routes.ts';
import { resourcesRoutes } from './resources-routes.ts';
import { signInRoutes } from './sign-in-routes.ts';
import { userFormRoutes, userFormsRoutes } from './user-forms-routes.ts';
import { usersRoutes } from './users-routes.ts';
import { CONSOLE_STYLESHEET_PATH } from './views/console-layout.ts';
import { CONSOLE_STYLESHEET } from './views/console-styles.ts';
import { type DoctorJson, doctorPage } from './views/doctor-views.ts';

const STYLESHEET = asset('text/css; charset=utf-8', CONSOLE_STYLESHEET, 3600);

// The pages whose forms a POST comes from, when not its path without the last segment (a session
// that ended meanwhile signs in again back to them).
const newForm = (ctx: RouteContext) => `${ctx.path}/new`;
const editForm = (ctx: RouteContext) => `${ctx.path}/edit`;
const samePage = (ctx: RouteContext) => ctx.path;

/** What {@link createAdminConsole} needs. */
export interface AdminConsoleDeps {
  db: Database;
  issuer: string;
  /** The console's own client (services/admin-console.ts registered it). */
  clientId: string;
  /** How long a console session lasts without a request, and at most. */
  limits: ConsoleSessionLimits;
  csrf: Csrf;
  logger: Logger;
}

/**
 * The admin console (PORTCULLIS_ADMIN_CONSOLE=on) as host routes under /admin: server-rendered
 * pages, no script, built on the admin API only (the server side calls /admin/v1 over HTTP with
 * the signed-in operator's token, which never reaches the browser: the BFF pattern). The
 * operator signs in through Portcullis itself (console-sign-in.ts).
 *
 * @example
 * const console = createAdminConsole({ db, issuer, clientId, csrf, logger });
 * const routing = createHostRouting([...routeTable(deps), ...admin.routes, ...console.routes]);
 */
export function createAdminConsole(deps: AdminConsoleDeps): { routes: HostRoute[] } {
  const sessions = createConsoleSessions(deps.db, deps.limits);
  const api = createAdminApiClient(deps.issuer);
  const cookies = consoleCookies(deps.issuer);
  const oauth = createConsoleSignIn({ issuer: deps.issuer, clientId: deps.clientId });
  const page = consoleRequests({
    sessions,
    api,
    csrf: deps.csrf,
    cookies,
    logger: deps.logger,
    signIn: oauth,
  });
  const signIn = signInRoutes({
    sessions,
    signIn: oauth,
    api,
    cookies,
    logger: deps.logger,
  });
  const clients = clientsRoutes();
  const audit = auditRoutes();
  const keys = keysRoutes();
  const resources = resourcesRoutes();
  const users = usersRoutes();
  const grants = grantsRoutes();
  const userForms = userFormsRoutes();
  const user = '/admin/users/:user';
  const client = '/admin/clients/:client';
  const resource = '/admin/resources/:resource';
  return {
    routes: [
      {
        name: 'console',
        method: 'GET',
        path: CONSOLE_PATH,
        handler: page(async (ctx) => {
          ctx.redirect('/admin/clients');
          ctx.status = 303;
        }),
      },
      {
        name: 'console_assets',
        method: 'GET',
        path: CONSOLE_STYLESHEET_PATH,
        handler: serveAsset(STYLESHEET),
      },
      { name: 'console_sign_in', method: 'GET', path: '/admin/sign-in', handler: signIn.begin },
      {
        name: 'console_callback',
        method: 'GET',
        path: CONSOLE_CALLBACK_PATH,
        handler: signIn.callback,
      },
      {
        name: 'console_sign_out',
        method: 'POST',
        path: '/admin/sign-out',
        handler: page(signIn.signOut),
      },
      {
        name: 'console_signed_out',
        method: 'GET',
        path: CONSOLE_SIGNED_OUT_PATH,
        handler: signIn.signedOut,
      },
      { name: 'console_keys', method: 'GET', path: '/admin/keys', handler: page(keys.list) },
      {
        name: 'console_key_rotations',
        method: 'POST',
        path: '/admin/keys/rotations',
        handler: page(keys.rotate),
      },
      {
        name: 'console_doctor',
        method: 'GET',
        path: '/admin/doctor',
        handler: page(async (ctx, signed) => {
          const answer = await signed.api<DoctorJson>({ path: '/doctor' });
          if (answer.status !== 200) return refused(ctx, answer, signed.operator);
          render(ctx, 200, doctorPage({ operator: signed.operator, report: answer.body }));
        }),
      },
      {
        name: 'console_clients',
        method: 'GET',
        path: '/admin/clients',
        handler: page(clients.list),
      },
      {
        name: 'console_clients',
        method: 'POST',
        path: '/admin/clients',
        handler: page(clients.create, { formPage: newForm }),
      },
      {
        name: 'console_clients_new',
        method: 'GET',
        path: '/admin/clients/new',
        handler: page(clients.showNew),
      },
      { name: 'console_client', method: 'GET', path: client, handler: page(clients.show) },
      {
        name: 'console_client',
        method: 'POST',
        path: client,
        handler: page(clients.update, { formPage: editForm }),
      },
      {
        name: 'console_client_edit',
        method: 'GET',
        path: `${client}/edit`,
        handler: page(clients.showEdit),
      },
      {
        name: 'console_client_disable',
        method: 'POST',
        path: `${client}/disable`,
        handler: page(clients.disable),
      },
      {
        name: 'console_client_enable',
        method: 'POST',
        path: `${client}/enable`,
        handler: page(clients.enable),
      },
      {
        name: 'console_client_secrets',
        method: 'POST',
        path: `${client}/secrets`,
        handler: page(clients.rotate),
      },
      {
        name: 'console_resources',
        method: 'GET',
        path: '/admin/resources',
        handler: page(resources.list),
      },
      {
        name: 'console_resources',
        method: 'POST',
        path: '/admin/resources',
        handler: page(resources.create, { formPage: newForm }),
      },
      {
        name: 'console_resources_new',
        method: 'GET',
        path: '/admin/resources/new',
        handler: page(resources.showNew),
      },
      { name: 'console_resource', method: 'GET', path: resource, handler: page(resources.show) },
      {
        name: 'console_resource',
        method: 'POST',
        path: resource,
        handler: page(resources.update, { formPage: editForm }),
      },
      {
        name: 'console_resource_edit',
        method: 'GET',
        path: `${resource}/edit`,
        handler: page(resources.showEdit),
      },
      {
        name: 'console_resource_delete',
        method: 'GET',
        path: `${resource}/delete`,
        handler: page(resources.confirmDelete),
      },
      {
        name: 'console_resource_delete',
        method: 'POST',
        path: `${resource}/delete`,
        handler: page(resources.remove, { formPage: samePage }),
      },
      { name: 'console_users', method: 'GET', path: '/admin/users', handler: page(users.list) },
      {
        name: 'console_users',
        method: 'POST',
        path: '/admin/users',
        handler: page(userForms.create, { formPage: newForm }),
      },
      {
        name: 'console_users_new',
        method: 'GET',
        path: '/admin/users/new',
        handler: page(userForms.showNew),
      },
      { name: 'console_user', method: 'GET', path: user, handler: page(users.show) },
      ...userFormRoutes(user, page, userForms),
      {
        name: 'console_user_disable',
        method: 'POST',
        path: `${user}/disable`,
        handler: page(users.disable),
      },
      {
        name: 'console_user_enable',
        method: 'POST',
        path: `${user}/enable`,
        handler: page(users.enable),
      },
      {
        name: 'console_user_unlock',
        method: 'POST',
        path: `${user}/unlock`,
        handler: page(users.unlock),
      },
      {
        name: 'console_user_grant_revoke',
        method: 'POST',
        path: `${user}/grants/:grant/revoke`,
        handler: page(users.revoke, { formPage: (ctx) => ctx.path.replace(/\/grants\/.*$/, '') }),
      },
      {
        name: 'console_user_grants_revoke_all',
        method: 'GET',
        path: `${user}/grants/revoke-all`,
        handler: page(users.confirmRevokeAll),
      },
      {
        name: 'console_user_grants_revoke_all',
        method: 'POST',
        path: `${user}/grants/revoke-all`,
        handler: page(users.revokeAll),
      },
      { name: 'console_grants', method: 'GET', path: '/admin/grants', handler: page(grants.list) },
      {
        name: 'console_grant_revoke',
        method: 'POST',
        path: '/admin/grants/:grant/revoke',
        handler: page(grants.revoke),
      },
      { name: 'console_audit', method: 'GET', path: '/admin/audit', handler: page(audit.list) },
    ],
  };
}
