/** Scopes oidc-provider itself knows (not tied to an API resource). */
export const OIDC_SCOPES = ['openid', 'offline_access', 'profile', 'email'];

/** What the consent page says for each OpenID scope. */
export const OIDC_SCOPE_DESCRIPTIONS: Readonly<Record<string, string>> = {
  openid: 'Sign you in with your account',
  profile: 'See your name and username',
  email: 'See your email address',
  offline_access: 'Keep access while you are not using it (stay signed in)',
};
