import { readKeyEncryptionKey } from '../key-encryption-key.ts';
import type { Io } from '../runtime.ts';
import { localBackend } from './local-backend.ts';
import type { UsersBackend } from './users-backend.ts';

/**
 * The local back end of the `users` commands: each call one call of the users (or roles)
 * service on the database, audited with the CLI's actor.
 *
 * @example
 * await localUsers(io).disable('alice');
 */
export function localUsers(io: Io): UsersBackend {
  const { onDatabase, change } = localBackend(io);
  return {
    list: () => onDatabase((s, db) => s.createUsersService(db).list()),
    show: (idOrUsername) =>
      onDatabase(async (s, db) => {
        const user = await s.createUsersService(db).show(idOrUsername);
        return { user, roles: await s.createRolesService(db).ofUser(user.id) };
      }),
    create: (input) => onDatabase((s, db) => s.createUsersService(db).create(input, change())),
    setEmail: (idOrUsername, email) =>
      onDatabase((s, db) => s.createUsersService(db).setEmail(idOrUsername, email, change())),
    setPassword: (idOrUsername, password) =>
      onDatabase((s, db) => s.createUsersService(db).setPassword(idOrUsername, password, change())),
    disable: (idOrUsername) =>
      onDatabase((s, db) => s.createUsersService(db).disable(idOrUsername, change())),
    enable: (idOrUsername) =>
      onDatabase((s, db) => s.createUsersService(db).enable(idOrUsername, change())),
    async unlock(username) {
      // Usernames are counted under a key derived from the servers' key-encryption key: here,
      // the CLI needs it too (remotely, the server uses its own).
      const kek = await readKeyEncryptionKey(
        io,
        'usernames are counted under a key derived from it',
      );
      return onDatabase((s, db) => s.createUsersService(db).unlock(username, kek, change()));
    },
    role: (add, idOrUsername, role) =>
      onDatabase((s, db) => {
        const roles = s.createRolesService(db);
        return add
          ? roles.addToUser(idOrUsername, role, change())
          : roles.removeFromUser(idOrUsername, role, change());
      }),
    delete: (idOrUsername) =>
      onDatabase((s, db) => s.createUsersService(db).delete(idOrUsername, change())),
  };
}
