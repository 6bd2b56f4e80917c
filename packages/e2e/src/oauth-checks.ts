import * as client from 'openid-client';

/**
 * The OAuth error code a request failed with (`invalid_scope`...), the text of any other failure,
 * or 'no error'. A 401 carrying a challenge (`WWW-Authenticate: Basic error="invalid_client"`,
 * what oidc-provider sends when the client authenticated with HTTP Basic) gives the challenge's
 * error code.
 *
 * @example
 * t.is(await oauthError(client.clientCredentialsGrant(config, { scope })), 'invalid_scope');
 */
export const oauthError = (work: Promise<unknown>): Promise<string> =>
  work.then(
    () => 'no error',
    (error: unknown) => {
      if (error instanceof client.ResponseBodyError) return error.error;
      if (error instanceof client.WWWAuthenticateChallengeError) {
        const code = error.cause.find((challenge) => challenge.parameters.error)?.parameters.error;
        if (code) return code;
      }
      return String(error);
    },
  );

/**
 * Asks until `seen` holds, for at most a second after the change (the promise running servers
 * make about changes the CLI notifies); returns the last answer.
 *
 * @example
 * t.is(await withinOneSecond(() => oauthError(token('x')), (e) => e === 'invalid_scope'), 'invalid_scope');
 */
export async function withinOneSecond<T>(
  ask: () => Promise<T>,
  seen: (answer: T) => boolean,
): Promise<T> {
  const changedAt = Date.now();
  let answer = await ask();
  while (!seen(answer) && Date.now() - changedAt < 1000) answer = await ask();
  return answer;
}
