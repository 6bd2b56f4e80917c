import type { issuedTokenJson, RevokedArtifacts } from '@portcullis/auth-server';
import type { OperatorTokenJson } from '@portcullis/auth-server/config';
import { CliError } from '../errors.ts';
import { adminHttp } from '../remote/admin-http.ts';
import { allPages } from '../remote/admin-reads.ts';
import type { Io } from '../runtime.ts';
import type { TokensBackend } from './tokens-backend.ts';

/** An issued token as the admin API and `tokens issue --json` write it. */
type IssuedJson = ReturnType<typeof issuedTokenJson>;

/**
 * The remote back end of `tokens list`, `tokens issue` and `tokens revoke --grant`: the admin
 * API's operator tokens (`admin:read` to list, `admin:write` to issue and revoke, and
 * `admin:users` for a token that acts for a user). The list is read page after page, in the
 * order the local mode lists it. The API revokes
 * one grant; revoking everything of a client or a user is refused in one line, since running
 * it here would be another command (`grants revoke` takes a user's grants through the API).
 *
 * @example
 * await remoteTokens(io, server).revoke({ grant: 'a1b2...' });
 */
export function remoteTokens(io: Io, server: URL): TokensBackend {
  return {
    list: () => allPages<OperatorTokenJson>(adminHttp(io, server, 'admin:read'), '/tokens'),
    async issue(input) {
      const scope = input.user === undefined ? 'admin:write' : 'admin:write admin:users';
      const { body } = await adminHttp(io, server, scope).call<IssuedJson>('POST', '/tokens', {
        body: {
          client: input.client,
          ...(input.user !== undefined ? { user: input.user } : {}),
          scope: input.scopes.join(' '),
          resource: input.resource,
          ...(input.ttl !== undefined ? { ttl: input.ttl } : {}),
        },
      });
      return {
        accessToken: body.access_token,
        tokenType: body.token_type,
        expiresIn: body.expires_in,
        expiresAt: new Date(body.expires_at),
        grantId: body.grant_id,
        clientId: body.client_id,
        subject: body.sub,
        scope: body.scope,
        resource: body.resource,
      };
    },
    async revoke(target) {
      if (!('grant' in target)) {
        throw new CliError(
          'tokens revoke --client and --user are not available with --server: run them where the database is (through the admin API: --grant, or grants revoke --user)',
          2,
        );
      }
      const path = `/tokens/${encodeURIComponent(target.grant)}`;
      const { body } = await adminHttp(io, server, 'admin:write').call<RevokedArtifacts>(
        'DELETE',
        path,
      );
      return body;
    },
  };
}
