import { readJsonObject } from '../http/read-json-object.ts';

// An introspection answer is a handful of members; a bigger body is refused unread.
const maxResponseBytes = 64 * 1024;

// RFC 6749 §2.3.1: the client id and secret are form-encoded before the Basic encoding.
const formEncode = (value: string) => encodeURIComponent(value).replace(/%20/g, '+');

/** The client this resource server authenticates as at the introspection endpoint. */
export interface IntrospectionClient {
  readonly clientId: string;
  readonly clientSecret: string;
}

/**
 * Asks `endpoint` about `token` (RFC 7662 §2.1) with HTTP Basic client authentication and
 * returns the JSON answer, which has a boolean `active`. Redirects are not followed (they would
 * carry the client secret elsewhere). Throws a plain `Error` for a timeout, a non-200 answer
 * (including a refused client authentication) or a body that is not such an answer; the caller
 * answers 503, since no token can be judged.
 *
 * @example
 * const answer = await requestIntrospection(endpoint, token, { clientId, clientSecret }, 5000);
 */
export async function requestIntrospection(
  endpoint: URL,
  token: string,
  client: IntrospectionClient,
  timeoutMs: number,
): Promise<Record<string, unknown>> {
  const basic = Buffer.from(
    `${formEncode(client.clientId)}:${formEncode(client.clientSecret)}`,
  ).toString('base64');
  const response = await fetch(endpoint, {
    method: 'POST',
    redirect: 'manual',
    signal: AbortSignal.timeout(timeoutMs),
    headers: {
      accept: 'application/json',
      authorization: `Basic ${basic}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ token, token_type_hint: 'access_token' }).toString(),
  });
  if (response.status !== 200) {
    await response.body?.cancel();
    throw new Error(`introspection answered HTTP ${response.status}`);
  }
  const answer = await readJsonObject(response, maxResponseBytes);
  if (typeof answer.active !== 'boolean') throw new Error('introspection answer has no "active"');
  return answer;
}
