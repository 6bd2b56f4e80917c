import type { IdentityProviderKind } from '@portcullis/storage';
import {
  invalidField,
  invalidInput,
  splitScopes,
  validateName,
  validateScopeName,
  validateWebUrl,
} from '../validation.ts';

/** What `idps create` asks for. */
export interface IdentityProviderInput {
  name: string;
  kind?: IdentityProviderKind;
  /** OpenID Connect: the issuer URL. */
  issuer?: string;
  /** GitHub (or a GitHub-shaped stand-in): defaults are github.com's. */
  authorizationEndpoint?: string;
  tokenEndpoint?: string;
  apiUrl?: string;
  clientId: string;
  clientSecret: string;
  /** Space-separated; `openid email profile` (OpenID Connect) or `read:user user:email`. */
  scope?: string;
  jit?: boolean;
}

/** What `idps update` may change (the kind never changes: delete and create instead). */
export type IdentityProviderUpdate = Partial<Omit<IdentityProviderInput, 'kind'>>;

/** GitHub's own endpoints, used when a GitHub provider names none. */
export const GITHUB_ENDPOINTS = {
  authorizationEndpoint: 'https://github.com/login/oauth/authorize',
  tokenEndpoint: 'https://github.com/login/oauth/access_token',
  apiUrl: 'https://api.github.com',
};

/** The scope asked for when none is given, per kind. */
export const DEFAULT_SCOPE: Record<IdentityProviderKind, string> = {
  oidc: 'openid email profile',
  github: 'read:user user:email',
};

// RFC 6749 Appendix A: client_id and client_secret are VSCHAR (printable ASCII).
const VSCHAR = /^[\x20-\x7E]+$/;

/** The kind as typed: `oidc` or `github`. */
export function validateKind(value: string): IdentityProviderKind {
  if (value === 'oidc' || value === 'github') return value;
  return invalidField('kind', 'must be oidc or github', { value });
}

/**
 * A URL of the provider (`what` names it: `issuer`): https, or http on a loopback host (a
 * provider on this machine, in development and tests); no credentials, query or fragment. Kept as
 * typed: an issuer is compared exactly.
 */
export function validateProviderUrl(what: string, value: string): string {
  if (URL.canParse(value) && (new URL(value).search || value.includes('#'))) {
    invalidInput(`${what} "${value}" must have no query or fragment`);
  }
  return validateWebUrl(value, what);
}

/** A client id or secret: 1–255 (secret: 1–1024) printable ASCII characters. */
export function validateCredential(field: 'clientId' | 'clientSecret', value: string): string {
  const max = field === 'clientId' ? 255 : 1024;
  if (value.length === 0 || value.length > max || !VSCHAR.test(value)) {
    return invalidField(field, `must be 1 to ${max} printable ASCII characters`);
  }
  return value;
}

/** Scopes as one space-separated string of RFC 6749 scope tokens; `openid` for OpenID Connect. */
export function validateScope(kind: IdentityProviderKind, value: string): string {
  const scopes = splitScopes([value]).map(validateScopeName);
  if (scopes.length === 0) invalidField('scope', 'must name at least one scope');
  if (kind === 'oidc' && !scopes.includes('openid')) {
    invalidField('scope', 'must include openid for an OpenID Connect provider', { value });
  }
  return scopes.join(' ');
}

/** The provider's display name, as on the login page's button. */
export const validateProviderName = (value: string) => validateName(value, 'the name');
