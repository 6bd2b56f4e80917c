/**
 * Route names for our own (host) routes; oidc-provider's routes are named by oidc-provider
 * (`token`, `authorization`, `introspection`...). A route name is a metrics label and a log
 * field, so it comes from this fixed set and never from the raw path.
 */
const HOST_ROUTES: readonly [RegExp, string][] = [
  [/^\/$/, 'home'],
  [/^\/favicon\.ico$/, 'favicon'],
  [/^\/healthz$/, 'healthz'],
  [/^\/readyz$/, 'readyz'],
  [/^\/assets\/[^/]+$/, 'assets'],
  [/^\/interaction\/[^/]+$/, 'interaction'],
  [/^\/interaction\/[^/]+\/login$/, 'interaction_login'],
  [/^\/interaction\/[^/]+\/confirm$/, 'interaction_confirm'],
  [/^\/account$/, 'account'],
  [/^\/account\/login$/, 'account_login'],
  [/^\/account\/logout$/, 'account_logout'],
  [/^\/account\/grants\/[^/]+\/revoke$/, 'account_grant_revoke'],
];

/** The name of a request that matched no route. */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * The route name of one of our own paths, or {@link UNMATCHED_ROUTE}.
 *
 * @example
 * hostRouteName('/interaction/abc/login'); // 'interaction_login'
 */
export function hostRouteName(path: string): string {
  for (const [pattern, name] of HOST_ROUTES) if (pattern.test(path)) return name;
  return UNMATCHED_ROUTE;
}

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

// Routes whose paths carry an id: an interaction's uid is also its cookie's value, so the log
// shows the route's template instead.
const ID_IN_PATH: Readonly<Record<string, [RegExp, string]>> = {
  interaction: [/^\/interaction\/[^/]+/, '/interaction/:uid'],
  interaction_login: [/^\/interaction\/[^/]+/, '/interaction/:uid'],
  interaction_confirm: [/^\/interaction\/[^/]+/, '/interaction/:uid'],
  account_grant_revoke: [/^\/account\/grants\/[^/]+/, '/account/grants/:grant'],
  resume: [/\/[^/]+$/, '/:uid'],
  device_resume: [/\/[^/]+$/, '/:uid'],
};

/**
 * The path to log for a request on `route`: ids in it (interaction uids, grant ids) replaced by
 * placeholders. The query string must already be gone.
 *
 * @example
 * loggedPath('interaction_login', '/interaction/Zx81.../login'); // '/interaction/:uid/login'
 */
export function loggedPath(route: string, path: string): string {
  const template = ID_IN_PATH[route];
  return template ? path.replace(template[0], template[1]) : path;
}
