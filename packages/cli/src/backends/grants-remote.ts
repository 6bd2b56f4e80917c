import type { GrantJson } from '@portcullis/auth-server/config';
import { adminHttp } from '../remote/admin-http.ts';
import { allPages } from '../remote/admin-reads.ts';
import type { Io } from '../runtime.ts';
import type { GrantsBackend } from './grants-backend.ts';

const user = (idOrUsername: string) => `/users/${encodeURIComponent(idOrUsername)}/grants`;

/**
 * The remote back end of the `grants` commands: the admin API at `server`. Listing a user's
 * grants is reading personal data (`admin:users`); revoking takes access away (`admin:write`,
 * no If-Match: a revocation overwrites nobody's change and must never wait on a 412).
 *
 * @example
 * await remoteGrants(io, new URL('https://auth.example.com')).revoke({ grant: 'f3c...' });
 */
export function remoteGrants(io: Io, server: URL): GrantsBackend {
  return {
    // The API pages them in the local mode's order: the newest first, then by id.
    list: (idOrUsername) =>
      allPages<GrantJson>(adminHttp(io, server, 'admin:users'), user(idOrUsername)),
    async revoke(target) {
      const path =
        'grant' in target
          ? `/grants/${encodeURIComponent(target.grant)}`
          : `${user(target.user)}${target.client === undefined ? '' : `?client=${encodeURIComponent(target.client)}`}`;
      const { body } = await adminHttp(io, server, 'admin:write').call<{ revoked: number }>(
        'DELETE',
        path,
      );
      return body.revoked;
    },
  };
}
