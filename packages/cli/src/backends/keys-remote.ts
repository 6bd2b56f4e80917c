import type { SigningKeySummary } from '@portcullis/auth-server';
import type { KeyJson } from '@portcullis/auth-server/config';
import { adminHttp } from '../remote/admin-http.ts';
import type { Io } from '../runtime.ts';
import type { KeysBackend, RotatedNow } from './keys-backend.ts';

const date = (value: string | null) => (value === null ? null : new Date(value));

// The key summary of the admin API's JSON, so that remote commands print what local ones do.
const keySummary = (json: KeyJson): SigningKeySummary => ({
  kid: json.kid,
  alg: json.alg,
  state: json.state,
  ageSeconds: json.age_seconds,
  createdAt: new Date(json.created_at),
  activatedAt: date(json.activated_at),
  retiredAt: date(json.retired_at),
  activatesAt: date(json.activates_at),
  removesAt: date(json.removes_at),
});

/**
 * The remote back end of the `keys` commands: the admin API at `server`. The server stores new
 * keys under its own key-encryption key, so none is read here; a rotation asks for a token with
 * the `admin:keys` scope, the list for `admin:read`.
 *
 * @example
 * const { keys } = await remoteKeys(io, new URL('https://auth.example.com')).list();
 */
export function remoteKeys(io: Io, server: URL): KeysBackend {
  // Each command asks for the one scope it needs (admin-token.ts).
  const read = adminHttp(io, server, 'admin:read');
  const rotation = adminHttp(io, server, 'admin:keys');
  return {
    async list() {
      const { body } = await read.call<{ items: KeyJson[]; now: string }>('GET', '/keys');
      return { keys: body.items.map(keySummary), now: new Date(body.now) };
    },
    async rotate({ algorithms, propagationSeconds }) {
      const { body } = await rotation.call<{ staged: KeyJson[] }>('POST', '/keys/rotations', {
        body: { ...(algorithms ? { algorithms } : {}), propagation: propagationSeconds },
      });
      return body.staged.map(keySummary);
    },
    async rotateNow({ algorithms, revokeOld }): Promise<RotatedNow> {
      const { body } = await rotation.call<{ activated: KeyJson[]; replaced: KeyJson[] }>(
        'POST',
        '/keys/rotations',
        { body: { ...(algorithms ? { algorithms } : {}), now: true, revoke_old: revokeOld } },
      );
      return { activated: body.activated.map(keySummary), replaced: body.replaced.map(keySummary) };
    },
  };
}
