import * as oauth from 'openid-client';
import { CliError } from '../errors.ts';
import { readStdinPassword } from '../read-stdin-password.ts';
import type { Io } from '../runtime.ts';

/** The resource of the admin API's tokens (docs/admin-api.md). */
const ADMIN_RESOURCE = 'urn:portcullis:admin';

/**
 * An access token for the admin API: `PORTCULLIS_ADMIN_TOKEN` as given, or else one got with
 * the client credentials grant for `PORTCULLIS_ADMIN_CLIENT_ID` (its secret from
 * `PORTCULLIS_ADMIN_CLIENT_SECRET`, or stdin) at the token endpoint discovered from `server`,
 * for the scopes of `PORTCULLIS_ADMIN_SCOPE`, or else `scope`: those the command needs, so that
 * a client allowed only some admin scopes still runs the commands they cover. Never printed.
 *
 * @example
 * const token = await adminToken(io, new URL('https://auth.example.com'), 'admin:users');
 */
export async function adminToken(io: Io, server: URL, scope: string): Promise<string> {
  const given = io.env.PORTCULLIS_ADMIN_TOKEN?.trim();
  if (given) return given;
  const clientId = io.env.PORTCULLIS_ADMIN_CLIENT_ID?.trim();
  if (!clientId) {
    throw new CliError(
      'remote mode needs PORTCULLIS_ADMIN_TOKEN, or PORTCULLIS_ADMIN_CLIENT_ID with its secret (PORTCULLIS_ADMIN_CLIENT_SECRET or stdin)',
      2,
    );
  }
  const secret =
    io.env.PORTCULLIS_ADMIN_CLIENT_SECRET || (await readStdinPassword(io, 'client secret'));
  let config: oauth.Configuration;
  try {
    config = await oauth.discovery(
      server,
      clientId,
      undefined,
      oauth.ClientSecretBasic(secret),
      server.protocol === 'http:' ? { execute: [oauth.allowInsecureRequests] } : {},
    );
  } catch (error) {
    throw new CliError(`cannot discover the issuer at ${server.href}: ${reason(error)}`);
  }
  try {
    const tokens = await oauth.clientCredentialsGrant(config, {
      scope: io.env.PORTCULLIS_ADMIN_SCOPE?.trim() || scope,
      resource: ADMIN_RESOURCE,
    });
    return tokens.access_token;
  } catch (error) {
    throw new CliError(`the token endpoint refused ${clientId}: ${reason(error)}`);
  }
}

// One line of an openid-client failure: the OAuth error code when there is one.
function reason(error: unknown): string {
  if (error instanceof oauth.ResponseBodyError) {
    return error.error_description ? `${error.error} (${error.error_description})` : error.error;
  }
  if (error instanceof oauth.WWWAuthenticateChallengeError) {
    // A 401 with a challenge (a wrong secret): its error code, as `error` would give it.
    const code = error.cause[0]?.parameters.error;
    if (code) return code;
  }
  // A network failure: the code of the innermost cause (ECONNREFUSED, ENOTFOUND...).
  for (let cause: unknown = error; cause instanceof Error; cause = cause.cause) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return code;
  }
  return error instanceof Error ? (error.message.split('\n')[0] ?? 'failed') : String(error);
}
