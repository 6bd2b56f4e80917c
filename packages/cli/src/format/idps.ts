import type { PublicIdentityProvider } from '@portcullis/auth-server/services';

/** An identity provider in the CLI's JSON shape (never its client secret). */
export function idpJson(idp: PublicIdentityProvider & { links?: number }) {
  return {
    id: idp.id,
    name: idp.name,
    kind: idp.kind,
    issuer: idp.issuer,
    authorization_endpoint: idp.authorizationEndpoint,
    token_endpoint: idp.tokenEndpoint,
    api_url: idp.apiUrl,
    client_id: idp.clientId,
    scope: idp.scope,
    jit: idp.jit,
    ...(idp.links !== undefined ? { links: idp.links } : {}),
    created_at: idp.createdAt.toISOString(),
    updated_at: idp.updatedAt.toISOString(),
  };
}

/** The lines `idps show` (and create, update) print. */
export function describeIdp(idp: PublicIdentityProvider & { links?: number }): string[] {
  return [
    `name:      ${idp.name}`,
    `id:        ${idp.id}`,
    `kind:      ${idp.kind}`,
    ...(idp.kind === 'oidc'
      ? [`issuer:    ${idp.issuer}`]
      : [
          `authorize: ${idp.authorizationEndpoint}`,
          `token:     ${idp.tokenEndpoint}`,
          `api:       ${idp.apiUrl}`,
        ]),
    `client id: ${idp.clientId}`,
    `scope:     ${idp.scope}`,
    `new users: ${idp.jit ? 'created at first sign-in (--jit)' : 'not created (link existing users only)'}`,
    ...(idp.links !== undefined ? [`linked:    ${idp.links} user(s)`] : []),
  ];
}
