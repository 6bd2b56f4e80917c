/**
 * `PORTCULLIS_MFA`: off (no second factor anywhere), optional (users may enrol; those who did
 * pass it at every sign-in), required (users without a factor enrol at their next sign-in).
 */
export type MfaPolicy = 'off' | 'optional' | 'required';

/** The `acr` of a session signed in with a password only. */
const ACR_PASSWORD = 'urn:portcullis:acr:pwd';

/** The `acr` of a session signed in with a password and a second factor. */
export const ACR_MFA = 'urn:portcullis:acr:mfa';

/** Every `acr` value we issue, as discovery's `acr_values_supported` lists them. */
export const ACR_VALUES = [ACR_PASSWORD, ACR_MFA] as const;

/**
 * The `amr` values (RFC 8176) of a sign-in: `pwd` for the password, `otp` for a one-time code
 * (an authenticator app's, or a recovery code), `pop` and `user` for a passkey (proof of
 * possession of its private key, and the user's presence the authenticator tested).
 */
export type AuthenticationMethod = 'pwd' | 'otp' | 'pop' | 'user';

/**
 * The login result oidc-provider records on the session for a sign-in with these `amr` methods:
 * the mfa `acr` with a one-time code or a passkey (`pop`: after a password or another provider it
 * is the second factor; alone it was a passwordless sign-in, where the authenticator verified the
 * user as well, which is two factors on one device), the pwd one with a password alone, none
 * otherwise (a sign-in through another provider, whose strength we do not know).
 */
export function authenticationContext(methods: readonly string[]): {
  acr?: string;
  amr: string[];
} {
  if (methods.includes('otp') || methods.includes('pop'))
    return { acr: ACR_MFA, amr: [...methods] };
  if (methods.includes('pwd')) return { acr: ACR_PASSWORD, amr: [...methods] };
  return { amr: [...methods] };
}
