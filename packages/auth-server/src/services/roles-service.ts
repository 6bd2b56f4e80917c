import {
  createResourcesRepository,
  createRolesRepository,
  createUsersRepository,
  type Database,
  type NewAuditEvent,
  type RoleRecord,
  type RoleScope,
} from '@portcullis/storage';
import { AuthServerError } from '../errors.ts';
import { actorOf, type ChangeOptions } from './change-options.ts';
import { fromStorage } from './from-storage.ts';
import { invalidInput } from './validation.ts';

/** What the operator asks for in `roles create`. */
export interface CreateRoleInput {
  name: string;
  description?: string;
  /** `URI scope...`: a resource's identifier, then one or more of its scopes (the CLI's form). */
  scopes: readonly string[];
}

/** What `apply` changes of a role; anything undefined stays as it is. */
export interface UpdateRoleInput {
  description?: string;
  /** Replaces the role's scopes, in the `URI scope...` form. */
  scopes?: readonly string[];
}

/** A role with the users given it. */
export interface RoleDetail {
  role: RoleRecord;
  users: Array<{ id: string; username: string }>;
}

/** A change to a user's roles, and whether it changed anything. */
export interface UserRoleChange {
  user: { id: string; username: string };
  role: string;
  changed: boolean;
}

// Letters, digits, `.`, `_`, `-` and `:`: a role name appears in tokens' `roles` claim and in
// rules like role('notes-admin'), so it stays a plain word.
const ROLE_NAME = /^[A-Za-z0-9._:-]{1,64}$/;

/**
 * A role's name: trimmed, 1 to 64 letters, digits, `.`, `_`, `-` or `:`.
 *
 * @example
 * validateRoleName(' notes-admin '); // 'notes-admin'
 */
export function validateRoleName(value: string): string {
  const name = value.trim();
  if (!ROLE_NAME.test(name)) {
    invalidInput(
      `role name "${name.slice(0, 64)}" must be 1 to 64 letters, digits, ".", "_", "-" or ":"`,
      { field: 'name', value },
    );
  }
  return name;
}

/**
 * Roles for the CLI and `apply`: named sets of resource scopes given to users. A role-gated scope
 * (`resources update --role-gated`) reaches a user's token only through one of their roles; the
 * authorization server reads the user's roles at every token request, so giving or taking a role
 * counts from the next token (a refresh included). Every change is one transaction with its audit
 * event (`role.created`, `role.deleted`, `user.role_added`, `user.role_removed`).
 *
 * @example
 * const roles = createRolesService(db);
 * await roles.create({ name: 'notes-admin', scopes: ['https://api.example.com notes:admin'] });
 * await roles.addToUser('alice', 'notes-admin', { actor: 'cli:bob' });
 */
export function createRolesService(db: Database) {
  const roles = createRolesRepository(db);
  const resources = createResourcesRepository(db);
  const users = createUsersRepository(db);

  const mustFind = async (name: string): Promise<RoleRecord> => {
    const found = await roles.find(name.trim());
    if (!found) throw new AuthServerError('not_found', `no role "${name.trim()}"`);
    return found;
  };

  const mustFindUser = async (idOrUsername: string) => {
    const user =
      (await users.findById(idOrUsername)) ?? (await users.findByUsername(idOrUsername.trim()));
    if (!user) {
      throw new AuthServerError('not_found', `no user with id or username "${idOrUsername}"`);
    }
    return { id: user.id, username: user.username };
  };

  // Each `URI scope...` names a resource and scopes it defines; the pairs come back deduplicated.
  const parseScopes = async (values: readonly string[]): Promise<RoleScope[]> => {
    const pairs = new Map<string, RoleScope>();
    for (const [index, value] of values.entries()) {
      const [identifier = '', ...names] = value.trim().split(/\s+/);
      const subject = { field: 'scopes', index, value };
      if (names.length === 0) {
        invalidInput(`"${value}" must be a resource identifier followed by its scopes`, subject);
      }
      const resource = await resources.find(identifier);
      if (!resource) invalidInput(`no resource "${identifier}"`, subject);
      for (const scope of names) {
        if (!resource.scopes.some((s) => s.name === scope)) {
          invalidInput(`resource "${identifier}" has no scope "${scope}"`, subject);
        }
        pairs.set(`${identifier} ${scope}`, { resource: identifier, scope });
      }
    }
    return [...pairs.values()];
  };

  const validateDescription = (value: string | undefined) => {
    const description = (value ?? '').trim();
    if (description.length > 300) {
      invalidInput('the description is over 300 characters', { field: 'description' });
    }
    return description;
  };

  const validateScopes = (scopes: readonly string[]) => {
    if (scopes.length === 0) {
      invalidInput('a role needs at least one scope ("URI scope...")', { field: 'scopes' });
    }
    return parseScopes(scopes);
  };

  const scopeNames = (scopes: readonly RoleScope[]) =>
    scopes.map((s) => `${s.resource} ${s.scope}`);

  const event = (
    type: NewAuditEvent['type'],
    options: ChangeOptions,
    details: Record<string, unknown>,
    subject?: string,
  ): NewAuditEvent => ({ type, actor: actorOf(options), subject: subject ?? null, details });

  // Gives or takes `role` from the user with its event, only when that changes something.
  const changeUser = async (
    idOrUsername: string,
    roleName: string,
    options: ChangeOptions,
    add: boolean,
  ): Promise<UserRoleChange> => {
    const user = await mustFindUser(idOrUsername);
    const role = await mustFind(roleName);
    const audit = [
      event(
        add ? 'user.role_added' : 'user.role_removed',
        options,
        { username: user.username, role: role.name },
        user.id,
      ),
    ];
    const changed = add
      ? await roles.addUser(user.id, role.name, { audit })
      : await roles.removeUser(user.id, role.name, { audit });
    return { user, role: role.name, changed };
  };

  return {
    /** Creates a role; `conflict` when the name is taken in any case. */
    async create(input: CreateRoleInput, options: ChangeOptions = {}): Promise<RoleRecord> {
      const name = validateRoleName(input.name);
      const description = validateDescription(input.description);
      const scopes = await validateScopes(input.scopes);
      try {
        return await roles.create(
          { name, description, scopes },
          {
            audit: [
              event('role.created', options, {
                role: name,
                scopes: scopeNames(scopes),
              }),
            ],
          },
        );
      } catch (error) {
        throw fromStorage(error, { field: 'name' });
      }
    },

    /**
     * Changes the role's description or replaces its scopes (`role.updated` names what changed);
     * `not_found` for an unknown role. Users keep the role: their next token follows the new
     * scopes.
     */
    async update(
      name: string,
      input: UpdateRoleInput,
      options: ChangeOptions = {},
    ): Promise<{ role: RoleRecord; changed: string[] }> {
      const current = await mustFind(name);
      const description =
        input.description === undefined ? undefined : validateDescription(input.description);
      const scopes = input.scopes === undefined ? undefined : await validateScopes(input.scopes);
      const changed = [
        ...(description !== undefined && description !== current.description
          ? ['description']
          : []),
        ...(scopes !== undefined &&
        scopeNames(scopes).sort().join('\n') !== scopeNames(current.scopes).sort().join('\n')
          ? ['scopes']
          : []),
      ];
      if (changed.length === 0) return { role: current, changed };
      const role = await roles.update(
        current.name,
        {
          ...(changed.includes('description') ? { description } : {}),
          ...(changed.includes('scopes') ? { scopes } : {}),
        },
        { audit: [event('role.updated', options, { role: current.name, changed })] },
      );
      if (!role) throw new AuthServerError('not_found', `no role "${current.name}"`);
      return { role, changed };
    },

    /** Every role, by name. */
    list: () => roles.list(),

    /** The role and its users; `not_found` when there is none. */
    async show(name: string): Promise<RoleDetail> {
      const role = await mustFind(name);
      return { role, users: await roles.users(role.name) };
    },

    /** Deletes the role and takes it from every user; `not_found` when there is none. */
    async delete(name: string, options: ChangeOptions = {}): Promise<RoleDetail> {
      const { role, users: holders } = await this.show(name);
      const deleted = await roles.delete(role.name, {
        audit: [event('role.deleted', options, { role: role.name, users: holders.length })],
      });
      if (!deleted) throw new AuthServerError('not_found', `no role "${role.name}"`);
      return { role, users: holders };
    },

    /** Gives the role to the user (`changed` false when they had it). */
    addToUser: (user: string, role: string, options: ChangeOptions = {}) =>
      changeUser(user, role, options, true),

    /** Takes the role from the user (`changed` false when they did not have it). */
    removeFromUser: (user: string, role: string, options: ChangeOptions = {}) =>
      changeUser(user, role, options, false),

    /** The names of a user's roles (by id; the account page's user). */
    ofUser: (userId: string) => roles.ofUser(userId),
  };
}

/** The service {@link createRolesService} returns. */
export type RolesService = ReturnType<typeof createRolesService>;
