import type { PublicUser } from '@portcullis/auth-server/services';
import type { userJson } from '../format/users.ts';
import { adminHttp } from '../remote/admin-http.ts';
import { allPages, versionedReads } from '../remote/admin-reads.ts';
import type { Io } from '../runtime.ts';
import type { UsersBackend } from './users-backend.ts';

/** A user as the admin API writes it: `users show --json`, with since when disabled and roles. */
type UserJson = ReturnType<typeof userJson> & { roles: string[]; disabled_at: string | null };

const path = (idOrUsername: string) => `/users/${encodeURIComponent(idOrUsername)}`;

/**
 * The user record of the admin API's JSON, so that remote commands print what local ones do.
 * The API does not say when a user last changed, which no command prints: `updatedAt` is their
 * creation.
 */
const publicUser = (json: UserJson): PublicUser => ({
  id: json.id,
  username: json.username,
  email: json.email,
  emailVerified: json.email_verified,
  name: json.name,
  disabledAt: json.disabled_at === null ? null : new Date(json.disabled_at),
  createdAt: new Date(json.created_at),
  updatedAt: new Date(json.created_at),
});

// The role as the user has it (the stored spelling), for a name given in any case.
const named = (roles: readonly string[], role: string) =>
  roles.find((r) => r.toLowerCase() === role.toLowerCase());

/**
 * The remote back end of the `users` commands: the admin API at `server`, with a token for
 * `admin:users` (users are personal data: the API asks that scope for every operation).
 * Changes are conditional on the version just read (If-Match), so one made meanwhile by someone
 * else is refused in one line, never overwritten. Passwords go in JSON bodies only.
 *
 * @example
 * await remoteUsers(io, new URL('https://auth.example.com')).disable('alice');
 */
export function remoteUsers(io: Io, server: URL): UsersBackend {
  const http = adminHttp(io, server, 'admin:users');
  const users = versionedReads<UserJson>(http, path, (user) => user.id);
  // One conditional change of the user: the answer is the user after it.
  const change = async (
    idOrUsername: string,
    method: string,
    suffix: string,
    body?: Record<string, unknown>,
  ) => {
    const { id, etag } = await users.version(idOrUsername);
    const answer = await http.call<UserJson>(method, `${path(id)}${suffix}`, {
      ...(body ? { body } : {}),
      ifMatch: etag,
    });
    return publicUser(answer.body);
  };

  return {
    async list() {
      const all = await allPages<UserJson>(http, '/users');
      // In the local mode's order (the repository's): oldest first, then by id.
      const order = (u: UserJson) => `${u.created_at} ${u.id}`;
      return all.sort((a, b) => (order(a) < order(b) ? -1 : 1)).map(publicUser);
    },
    async show(idOrUsername) {
      const json = await users.read(idOrUsername);
      return { user: publicUser(json), roles: json.roles };
    },
    async create(input) {
      const { body } = await http.call<UserJson>('POST', '/users', { body: { ...input } });
      return publicUser(body);
    },
    setEmail: (idOrUsername, email) => change(idOrUsername, 'PATCH', '', { email }),
    setPassword: (idOrUsername, password) => change(idOrUsername, 'PUT', '/password', { password }),
    disable: (idOrUsername) => change(idOrUsername, 'POST', '/disable'),
    enable: (idOrUsername) => change(idOrUsername, 'POST', '/enable'),
    async unlock(username) {
      const { body } = await http.call<{
        username: string;
        user_id: string | null;
        failures_cleared: number;
      }>('POST', `${path(username)}/unlock`);
      return {
        user: body.user_id === null ? undefined : { id: body.user_id, username: body.username },
        failures: body.failures_cleared,
      };
    },
    async role(add, idOrUsername, role) {
      const before = await users.version(idOrUsername);
      const { body: after } = await http.call<UserJson>(
        add ? 'POST' : 'DELETE',
        `${path(before.id)}/roles${add ? '' : `/${encodeURIComponent(role)}`}`,
        { ...(add ? { body: { role } } : {}), ifMatch: before.etag },
      );
      const had = named(before.body.roles, role);
      const has = named(after.roles, role);
      return {
        user: { id: after.id, username: after.username },
        role: has ?? had ?? role,
        changed: (had === undefined) !== (has === undefined),
      };
    },
    async delete(idOrUsername) {
      const { id, etag, body } = await users.version(idOrUsername);
      await http.call('DELETE', path(id), { ifMatch: etag });
      return publicUser(body);
    },
  };
}
