import type { Database } from '@portcullis/storage';
import { ADMIN_API_PATH } from '../../domain/admin-api.ts';
import { createRolesService } from '../../services/roles-service.ts';
import { createUsersService, type PublicUser } from '../../services/users-service.ts';
import type { AdminCall, AdminOperation, AdminReply } from '../admin-operation.ts';
import { etagOf } from '../etag.ts';
import { namePage, namePageQuery, type PageParameters } from '../pagination.ts';
import { AdminProblem } from '../problem.ts';

/** What the users' operations need besides the call. */
export interface UserOperationsDeps {
  /** The servers' key-encryption key: failed sign-ins are counted under a key derived from it. */
  keyEncryptionKey: Buffer;
}

const userOf = (call: AdminCall) => call.params.user ?? '';
const change = (call: AdminCall) => ({ actor: call.actor });

/**
 * A user as the admin API shows them: the shape of `users show --json` (OpenID Connect claim
 * names) with their roles; never a password or its hash.
 *
 * @example
 * await userJson(db, user); // { id, username, email, email_verified, name, disabled, roles, ... }
 */
export async function userJson(db: Database, user: PublicUser) {
  return {
    id: user.id,
    username: user.username,
    email: user.email,
    email_verified: user.emailVerified,
    name: user.name,
    disabled: user.disabledAt !== null,
    disabled_at: user.disabledAt?.toISOString() ?? null,
    roles: await createRolesService(db).ofUser(user.id),
    created_at: user.createdAt.toISOString(),
  };
}

// The ETag covers what is shown and when it last changed (a new password shows nothing else).
const versionOf = async (db: Database, user: PublicUser) => ({
  ...(await userJson(db, user)),
  updated_at: user.updatedAt.toISOString(),
});

// The user's version, locked then read in the call's transaction.
async function version(call: AdminCall) {
  const user = await createUsersService(call.db).lockForChange(userOf(call));
  return versionOf(call.db, user);
}

// The user as they are now, with their ETag.
async function reply(call: AdminCall, idOrUsername: string, status = 200): Promise<AdminReply> {
  const user = await createUsersService(call.db).show(idOrUsername);
  return {
    status,
    body: await userJson(call.db, user),
    etag: etagOf(await versionOf(call.db, user)),
  };
}

/**
 * The users' operations: each one call of the users (or roles) service, as the `users` commands
 * make it, with the caller as the audit actor. Users are personal data: every operation needs
 * `admin:users`, reads included. Changes are conditional on the ETag; unlocking is not (it
 * changes no stored user).
 *
 * @example
 * const operations = userOperations({ keyEncryptionKey });
 */
export function userOperations(deps: UserOperationsDeps): AdminOperation[] {
  const conditional = (
    operationId: string,
    method: AdminOperation['method'],
    path: string,
    act: (call: AdminCall) => Promise<PublicUser | undefined>,
  ): AdminOperation => ({
    operationId,
    method,
    path,
    scope: 'admin:users',
    version,
    async run(call) {
      const user = await act(call);
      return user ? reply(call, user.id) : { status: 204 };
    },
  });

  return [
    {
      operationId: 'listUsers',
      method: 'GET',
      path: '/users',
      scope: 'admin:users',
      async run(call) {
        const { limit } = call.query as PageParameters;
        const rows = await createUsersService(call.db).listPage(
          namePageQuery(call.query as PageParameters),
        );
        const page = namePage(rows, limit, (u) => [u.username, u.id]);
        const items = await Promise.all(page.items.map((u) => userJson(call.db, u)));
        return { status: 200, body: { ...page, items } };
      },
    },
    {
      operationId: 'createUser',
      method: 'POST',
      path: '/users',
      scope: 'admin:users',
      async run(call) {
        const body = call.body as {
          username: string;
          password: string;
          email?: string;
          name?: string;
        };
        const user = await createUsersService(call.db).create(
          {
            username: body.username,
            password: body.password,
            ...(body.email !== undefined ? { email: body.email } : {}),
            ...(body.name !== undefined ? { name: body.name } : {}),
          },
          change(call),
        );
        return {
          ...(await reply(call, user.id, 201)),
          location: `${ADMIN_API_PATH}/users/${encodeURIComponent(user.id)}`,
        };
      },
    },
    {
      operationId: 'getUser',
      method: 'GET',
      path: '/users/{user}',
      scope: 'admin:users',
      run: (call) => reply(call, userOf(call)),
    },
    conditional('updateUser', 'PATCH', '/users/{user}', async (call) => {
      const { email } = (call.body ?? {}) as { email?: string | null };
      if (email === undefined) return createUsersService(call.db).show(userOf(call));
      return createUsersService(call.db).setEmail(userOf(call), email, change(call));
    }),
    conditional('deleteUser', 'DELETE', '/users/{user}', async (call) => {
      await createUsersService(call.db).delete(userOf(call), change(call));
      return undefined;
    }),
    conditional('setUserPassword', 'PUT', '/users/{user}/password', (call) =>
      createUsersService(call.db).setPassword(
        userOf(call),
        (call.body as { password: string }).password,
        change(call),
      ),
    ),
    conditional('disableUser', 'POST', '/users/{user}/disable', (call) =>
      createUsersService(call.db).disable(userOf(call), change(call)),
    ),
    conditional('enableUser', 'POST', '/users/{user}/enable', (call) =>
      createUsersService(call.db).enable(userOf(call), change(call)),
    ),
    conditional('addUserRole', 'POST', '/users/{user}/roles', async (call) => {
      const { role } = call.body as { role: string };
      try {
        await createRolesService(call.db).addToUser(userOf(call), role, change(call));
      } catch (error) {
        // The user was found (and locked) by `version`: a `not_found` now is the role, a value
        // of the body, so a bad body (400) pointing at it, as a form shows next to its field.
        if ((error as { code?: unknown }).code !== 'not_found') throw error;
        const detail = (error as Error).message;
        throw new AdminProblem('invalid-input', detail, [{ pointer: '/role', detail }]);
      }
      return createUsersService(call.db).show(userOf(call));
    }),
    conditional('removeUserRole', 'DELETE', '/users/{user}/roles/{role}', async (call) => {
      await createRolesService(call.db).removeFromUser(
        userOf(call),
        call.params.role ?? '',
        change(call),
      );
      return createUsersService(call.db).show(userOf(call));
    }),
    {
      operationId: 'unlockUser',
      method: 'POST',
      path: '/users/{user}/unlock',
      scope: 'admin:users',
      async run(call) {
        const unlocked = await createUsersService(call.db).unlock(
          userOf(call),
          deps.keyEncryptionKey,
          change(call),
        );
        return {
          status: 200,
          body: {
            username: unlocked.user?.username ?? userOf(call).trim(),
            user_id: unlocked.user?.id ?? null,
            failures_cleared: unlocked.failures,
          },
        };
      },
    },
  ];
}
