import * as client from 'openid-client';

/**
 * The OAuth error code a request failed with (`invalid_scope`...), the text of any other failure,
 * or 'no error'.
 *
 * @example
 * t.is(await oauthError(client.clientCredentialsGrant(config, { scope })), 'invalid_scope');
 */
export const oauthError = (work: Promise<unknown>): Promise<string> =>
  work.then(
    () => 'no error',
    (error: unknown) => (error instanceof client.ResponseBodyError ? error.error : String(error)),
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
