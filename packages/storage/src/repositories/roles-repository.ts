import type { Database } from '../database.ts';
import { isUniqueViolation, StorageError } from '../errors.ts';
import { createAuditRepository, type NewAuditEvent } from './audit-repository.ts';

/** One scope of one resource that a role holds. */
export interface RoleScope {
  resource: string;
  scope: string;
}

/** A role: a named set of resource scopes given to users. */
export interface RoleRecord {
  name: string;
  description: string;
  scopes: RoleScope[];
  createdAt: Date;
}

/** What {@link RolesRepository.create} needs. */
export interface NewRole {
  name: string;
  description: string;
  scopes: readonly RoleScope[];
}

/** What a user holds on one resource through their roles. */
export interface UserResourceRoles {
  /** The user's roles that hold at least one scope of the resource, by name. */
  roles: string[];
  /** The resource's scopes those roles hold. */
  scopes: string[];
}

/** Audit events recorded in the same transaction as a write. */
interface RoleAuditOption {
  audit?: readonly NewAuditEvent[];
}

interface RoleRow {
  name: string;
  description: string;
  created_at: Date;
}

async function recordAll(db: Database, events: readonly NewAuditEvent[] = []): Promise<void> {
  const audit = createAuditRepository(db);
  for (const event of events) await audit.record(event);
}

async function insertScopes(db: Database, role: string, scopes: readonly RoleScope[]) {
  if (scopes.length === 0) return;
  await db('role_scopes').insert(
    scopes.map((s) => ({ role_name: role, resource_identifier: s.resource, scope_name: s.scope })),
  );
}

/**
 * Roles, the scopes they hold and the users they are given to. Names are unique regardless of
 * case and looked up so. Nothing is cached by servers: a token request reads the user's roles,
 * so a change counts at the next token (a refresh included).
 *
 * @example
 * const roles = createRolesRepository(db);
 * await roles.addUser('u-1', 'notes-admin');
 */
export function createRolesRepository(db: Database) {
  const withScopes = async (rows: RoleRow[], source: Database = db): Promise<RoleRecord[]> => {
    if (rows.length === 0) return [];
    const scopes: Array<{ role_name: string; resource_identifier: string; scope_name: string }> =
      await source('role_scopes')
        .whereIn(
          'role_name',
          rows.map((r) => r.name),
        )
        .orderBy(['resource_identifier', 'scope_name'])
        .select();
    return rows.map((row) => ({
      name: row.name,
      description: row.description,
      createdAt: row.created_at,
      scopes: scopes
        .filter((s) => s.role_name === row.name)
        .map((s) => ({ resource: s.resource_identifier, scope: s.scope_name })),
    }));
  };
  const findIn = async (source: Database, name: string) =>
    (
      await withScopes(
        await source<RoleRow>('roles').whereRaw('lower(name) = lower(?)', [name]),
        source,
      )
    )[0];

  return {
    /** Creates the role with its scopes in one transaction; `conflict` when the name is taken. */
    async create(role: NewRole, options: RoleAuditOption = {}): Promise<RoleRecord> {
      try {
        await db.transaction(async (trx) => {
          await trx('roles').insert({ name: role.name, description: role.description });
          await insertScopes(trx, role.name, role.scopes);
          await recordAll(trx, options.audit);
        });
      } catch (error) {
        if (isUniqueViolation(error)) {
          throw new StorageError('conflict', `a role named "${role.name}" already exists`, {
            cause: error,
          });
        }
        throw error;
      }
      return (await findIn(db, role.name)) as RoleRecord;
    },

    /**
     * Replaces the role's description and scopes (those given) with its audit events in one
     * transaction; undefined when there is no such role.
     */
    async update(
      name: string,
      changes: { description?: string; scopes?: readonly RoleScope[] },
      options: RoleAuditOption = {},
    ): Promise<RoleRecord | undefined> {
      return db.transaction(async (trx) => {
        const role = await findIn(trx, name);
        if (!role) return undefined;
        if (changes.description !== undefined) {
          await trx('roles')
            .where({ name: role.name })
            .update({ description: changes.description });
        }
        if (changes.scopes !== undefined) {
          await trx('role_scopes').where({ role_name: role.name }).delete();
          await insertScopes(trx, role.name, changes.scopes);
        }
        await recordAll(trx, options.audit);
        return findIn(trx, role.name);
      });
    },

    /** The role of that name in any case; undefined when there is none. */
    find: (name: string): Promise<RoleRecord | undefined> => findIn(db, name),

    /** Every role, by name. */
    async list(): Promise<RoleRecord[]> {
      return withScopes(await db<RoleRow>('roles').orderBy('name'));
    },

    /** Ids and usernames of the users given the role, by username. */
    async users(name: string): Promise<Array<{ id: string; username: string }>> {
      return db('user_roles')
        .join('users', 'users.id', 'user_roles.user_id')
        .where('user_roles.role_name', name)
        .orderBy('users.username')
        .select('users.id', 'users.username');
    },

    /**
     * Deletes the role (taking it from every user) with its audit events in one transaction;
     * returns the role and the users who had it, or undefined when there is none.
     */
    async delete(
      name: string,
      options: RoleAuditOption = {},
    ): Promise<{ role: RoleRecord; users: string[] } | undefined> {
      return db.transaction(async (trx) => {
        const role = await findIn(trx, name);
        if (!role) return undefined;
        const users: string[] = await trx('user_roles')
          .where({ role_name: role.name })
          .orderBy('user_id')
          .pluck('user_id');
        await trx('roles').where({ name: role.name }).delete();
        await recordAll(trx, options.audit);
        return { role, users };
      });
    },

    /** Gives the role to the user; false when they already had it (nothing is recorded then). */
    async addUser(userId: string, role: string, options: RoleAuditOption = {}): Promise<boolean> {
      return db.transaction(async (trx) => {
        const inserted = await trx('user_roles')
          .insert({ user_id: userId, role_name: role })
          .onConflict(['user_id', 'role_name'])
          .ignore()
          .returning('role_name');
        if (inserted.length === 0) return false;
        await recordAll(trx, options.audit);
        return true;
      });
    },

    /** Takes the role from the user; false when they did not have it (nothing is recorded then). */
    async removeUser(
      userId: string,
      role: string,
      options: RoleAuditOption = {},
    ): Promise<boolean> {
      return db.transaction(async (trx) => {
        const deleted = await trx('user_roles')
          .where({ user_id: userId, role_name: role })
          .delete();
        if (deleted === 0) return false;
        await recordAll(trx, options.audit);
        return true;
      });
    },

    /** The names of the user's roles, by name. */
    async ofUser(userId: string): Promise<string[]> {
      return db('user_roles').where({ user_id: userId }).orderBy('role_name').pluck('role_name');
    },

    /** What the user holds on `resource` through their roles (one query). */
    async onResource(userId: string, resource: string): Promise<UserResourceRoles> {
      const rows: Array<{ role_name: string; scope_name: string }> = await db('user_roles')
        .join('role_scopes', 'role_scopes.role_name', 'user_roles.role_name')
        .where({ 'user_roles.user_id': userId, 'role_scopes.resource_identifier': resource })
        .select('user_roles.role_name', 'role_scopes.scope_name');
      return {
        roles: [...new Set(rows.map((r) => r.role_name))].sort(),
        scopes: [...new Set(rows.map((r) => r.scope_name))].sort(),
      };
    },
  };
}

/** The repository {@link createRolesRepository} returns. */
export type RolesRepository = ReturnType<typeof createRolesRepository>;
