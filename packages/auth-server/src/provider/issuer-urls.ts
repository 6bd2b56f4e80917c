import type Provider from 'oidc-provider';

type UrlFor = (name: string, options?: Record<string, unknown>) => string;

/**
 * Makes every URL oidc-provider publishes (discovery, the device flow's `verification_uri`, the
 * return to `/auth/:uid` after the login and consent pages, the logout form's action) start with
 * the configured issuer's scheme, host and port. oidc-provider builds them from the request
 * (`ctx.href`: the `Host` header, or `X-Forwarded-Host` and `X-Forwarded-Proto` behind a trusted
 * proxy), so a forged `Host` rewrote them, and a shared cache could keep the forged document for
 * everyone. The path is still oidc-provider's, so only the origin changes. Requests under any
 * other host name are still served (health checks by address, a proxy's own name), with the
 * issuer's URLs.
 *
 * @example
 * const provider = new Provider(config.issuer, configuration);
 * publishIssuerUrls(provider, config.issuer);
 */
export function publishIssuerUrls(provider: Provider, issuer: string): void {
  const origin = new URL(issuer).origin;
  // OIDCContext (ctx.oidc) is a class of this provider instance only: other instances (a key
  // rotation builds a new one) are patched when they are built.
  const context = (provider as unknown as { OIDCContext: { prototype: { urlFor: UrlFor } } })
    .OIDCContext.prototype;
  const fromRequest = context.urlFor;
  context.urlFor = function urlFor(this: unknown, name, options) {
    const url = new URL(fromRequest.call(this, name, options));
    return new URL(`${url.pathname}${url.search}`, origin).href;
  };
}
