// A route name is a metrics label and a log field, so it comes from a fixed set, never from the
// raw path: our own routes' names from the route table (routes/route-table.ts), oidc-provider's
// (`token`, `authorization`, `introspection`...) from oidc-provider.

/** The name of a request that matched no route. */
export const UNMATCHED_ROUTE = 'unmatched';

// oidc-provider's route names are a fixed set of its own; this only guards against a surprise.
const PROVIDER_ROUTE = /^[a-z_.]{1,64}$/;

/**
 * The route name oidc-provider matched for a request (`token`, `introspection`...), or
 * {@link UNMATCHED_ROUTE}.
 *
 * @example
 * providerRouteName(ctx); // 'token'
 */
export function providerRouteName(ctx: unknown): string {
  const route = (ctx as { oidc?: { route?: unknown } } | undefined)?.oidc?.route;
  return typeof route === 'string' && PROVIDER_ROUTE.test(route) ? route : UNMATCHED_ROUTE;
}

// oidc-provider's routes whose paths carry an id (an interaction's uid is also its cookie's
// value); our own routes log their path template (routes/host-routing.ts).
const ID_IN_PATH: Readonly<Record<string, [RegExp, string]>> = {
  resume: [/\/[^/]+$/, '/:uid'],
  device_resume: [/\/[^/]+$/, '/:uid'],
};

/**
 * The path to log for a request on oidc-provider's `route`: ids in it (interaction uids)
 * replaced by placeholders. The query string must already be gone.
 *
 * @example
 * loggedPath('resume', '/auth/Zx81...'); // '/auth/:uid'
 */
export function loggedPath(route: string, path: string): string {
  const template = ID_IN_PATH[route];
  return template ? path.replace(template[0], template[1]) : path;
}
