import {
  createAuditRepository,
  createUsersRepository,
  type Database,
  type NamePageQuery,
  type NewAuditEvent,
  type UserRecord,
} from '@portcullis/storage';
import { asUsername } from '../domain/users.ts';
import { AuthServerError } from '../errors.ts';
import { clearSignInFailures } from '../limits/clear-sign-in-failures.ts';
import {
  hashPassword,
  needsRehash,
  verifyAgainstDummy,
  verifyPassword,
} from '../secrets/password.ts';
import { actorOf, type ChangeOptions } from './change-options.ts';
import { fromStorage } from './from-storage.ts';
import { newId } from './new-id.ts';
import { invalidInput, validateName } from './validation.ts';

/** A user as everything outside storage sees one: never with the password hash. */
export type PublicUser = Omit<UserRecord, 'passwordHash'>;

/** What the operator asks for in `users create`. */
export interface CreateUserInput {
  username: string;
  password: string;
  email?: string;
  name?: string;
}

const MIN_PASSWORD = 8;
const MAX_PASSWORD = 1024;

/** A stored user without the password hash. */
export const toPublicUser = ({ passwordHash: _, ...user }: UserRecord): PublicUser => user;
const toPublic = toPublicUser;

/** A username: trimmed, 1–64 of letters, digits, `.`, `_`, `@`, `-`. */
function validateUsername(value: string): string {
  const username = asUsername(value);
  if (username === undefined) {
    invalidInput('username must be 1 to 64 characters: letters, digits, ".", "_", "@" or "-"', {
      field: 'username',
    });
  }
  return username;
}

/**
 * NIST SP 800-63B: length is what makes a password strong, so 8 to 1024 characters and no
 * composition rules; the cap bounds the work one login can ask for. A password equal to the
 * username is the first thing an attacker tries.
 */
export function validatePassword(password: string, username: string): string {
  // Characters, not UTF-16 code units: an emoji counts once.
  const length = [...password].length;
  if (length < MIN_PASSWORD || length > MAX_PASSWORD) {
    invalidInput(`the password must be ${MIN_PASSWORD} to ${MAX_PASSWORD} characters`, {
      field: 'password',
    });
  }
  if (password.toLowerCase() === username.toLowerCase()) {
    invalidInput('the password must not be the username', { field: 'password' });
  }
  return password;
}

/** A plausible address: one `@` with something on each side, no spaces, at most 254 characters. */
export function validateEmail(value: string): string {
  const email = value.trim();
  const at = email.indexOf('@');
  if (
    email.length > 254 ||
    at <= 0 ||
    at === email.length - 1 ||
    email.indexOf('@', at + 1) !== -1 ||
    // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
    /[\s\u0000-\u001f\u007f]/.test(email)
  ) {
    invalidInput(`"${email.slice(0, 254)}" is not a valid email address`, { field: 'email' });
  }
  return email;
}

/** What `users unlock` did: the failed sign-ins it forgot, and the user of that name if any. */
export interface UnlockedUser {
  /** Failures that were still counting (0 when none were). */
  failures: number;
  /** The user with that username; undefined when no user has it. */
  user?: PublicUser;
}

/**
 * End users: registration and administration for the CLI, password checks for the login page.
 * Validation happens before any write; a user's password hash never leaves this service. Each
 * change is one transaction together with its audit event (`user.created`, `user.updated`, ...),
 * by the actor the caller names.
 *
 * @example
 * const users = createUsersService(db);
 * await users.disable('alice', { actor: 'cli:bob' });
 */
export function createUsersService(db: Database) {
  const operations = userOperations(db);

  const record = (trx: Database, event: Omit<NewAuditEvent, 'actor'>, options: ChangeOptions) =>
    createAuditRepository(trx).record({ ...event, actor: actorOf(options) });

  // A change to one user and its event, in one transaction: the trail holds the event exactly
  // when the change happened.
  const audited = (
    type: NewAuditEvent['type'],
    options: ChangeOptions,
    change: (users: UserOperations) => Promise<PublicUser>,
    details: Record<string, unknown> = {},
  ): Promise<PublicUser> =>
    db.transaction(async (trx) => {
      const user = await change(userOperations(trx));
      await record(
        trx,
        { type, subject: user.id, details: { username: user.username, ...details } },
        options,
      );
      return user;
    });

  return {
    authenticate: operations.authenticate,
    authenticateWithFactor: operations.authenticateWithFactor,
    findById: operations.findById,
    findByIdWithFactor: operations.findByIdWithFactor,
    list: operations.list,
    listPage: operations.listPage,
    show: operations.show,
    lockForChange: operations.lockForChange,

    /** Registers a user; the password is stored only as an argon2id hash. */
    create: (input: CreateUserInput, options: ChangeOptions = {}) =>
      audited('user.created', options, (users) => users.create(input)),

    /** Replaces the user's password after checking it against the policy. */
    setPassword: (idOrUsername: string, password: string, options: ChangeOptions = {}) =>
      audited('user.updated', options, (users) => users.setPassword(idOrUsername, password), {
        changed: ['password'],
      }),

    /**
     * Sets the user's address (validated like `create`), or clears it with null. A new address is
     * unverified until its owner follows a verification link; the same address stays as it was.
     */
    setEmail: (idOrUsername: string, email: string | null, options: ChangeOptions = {}) =>
      audited('user.updated', options, (users) => users.setEmail(idOrUsername, email), {
        changed: ['email'],
      }),

    /** Disables the user and ends their sessions, grants and refresh tokens. */
    disable: (idOrUsername: string, options: ChangeOptions = {}) =>
      audited('user.disabled', options, (users) => users.disable(idOrUsername)),

    /** Lets a disabled user sign in again (their old grants stay gone). */
    enable: (idOrUsername: string, options: ChangeOptions = {}) =>
      audited('user.enabled', options, (users) => users.enable(idOrUsername)),

    /** Deletes the user with every session, grant and token issued to them. */
    delete: (idOrUsername: string, options: ChangeOptions = {}) =>
      audited('user.deleted', options, (users) => users.delete(idOrUsername)),

    /**
     * Forgets the failed sign-ins counted for `username` ({@link clearSignInFailures}; `keySecret`
     * is the servers' key-encryption key), lifting its lockout on every server, and records
     * `user.unlocked`. A name that is no user's is unlocked too but not written to the trail.
     */
    async unlock(
      username: string,
      keySecret: Buffer,
      options: ChangeOptions = {},
    ): Promise<UnlockedUser> {
      return db.transaction(async (trx) => {
        const failures = await clearSignInFailures(trx, keySecret, username);
        const found = await createUsersRepository(trx).findByUsername(username.trim());
        const user = found ? toPublic(found) : undefined;
        // A name that is no user's is not stored: people type passwords into that field.
        await record(
          trx,
          {
            type: 'user.unlocked',
            subject: user?.id ?? null,
            details: { failures_cleared: failures, ...(user ? { username: user.username } : {}) },
          },
          options,
        );
        return user ? { user, failures } : { failures };
      });
    },
  };
}

/** The service {@link createUsersService} returns. */
export type UsersService = ReturnType<typeof createUsersService>;

// What the service does on the database, without the audit trail: the service runs the changes
// in a transaction with their events.
function userOperations(db: Database) {
  const users = createUsersRepository(db);

  const gone = (idOrUsername: string) =>
    new AuthServerError('not_found', `no user with id or username "${idOrUsername}"`);

  // An id first (ids are random, so one never collides with a username by accident), then a
  // username in any case.
  const mustFind = async (idOrUsername: string): Promise<UserRecord> => {
    const found =
      (await users.findById(idOrUsername)) ?? (await users.findByUsername(idOrUsername.trim()));
    if (!found) throw gone(idOrUsername);
    return found;
  };

  // The row as it is after a write; the caller already knows it exists.
  const reload = async (user: UserRecord): Promise<PublicUser> =>
    toPublic((await users.findById(user.id)) ?? user);

  async function authenticateWithFactor(
    username: string,
    password: string,
  ): Promise<{ user: PublicUser; hasFactor: boolean } | undefined> {
    const name = asUsername(username);
    const found = name === undefined ? undefined : await users.findByUsernameWithFactor(name);
    if (!found) {
      await verifyAgainstDummy(password);
      return undefined;
    }
    const { user } = found;
    if (!(await verifyPassword(password, user.passwordHash))) return undefined;
    if (user.disabledAt) return undefined;
    if (needsRehash(user.passwordHash)) {
      // Only while the old hash is still stored: an operator's new password wins the race.
      await users.setPasswordHash(user.id, await hashPassword(password), {
        ifCurrent: user.passwordHash,
      });
    }
    return { user: toPublic(user), hasFactor: found.hasFactor };
  }

  return {
    /** Registers a user; the password is stored only as an argon2id hash. */
    async create(input: CreateUserInput): Promise<PublicUser> {
      const username = validateUsername(input.username);
      const password = validatePassword(input.password, username);
      const email = input.email === undefined ? null : validateEmail(input.email);
      const name = input.name === undefined ? null : validateName(input.name, 'name');
      try {
        const user = await users.create({
          id: newId(),
          username,
          passwordHash: await hashPassword(password),
          email,
          name,
        });
        return toPublic(user);
      } catch (error) {
        throw fromStorage(error, { field: 'username' });
      }
    },

    /**
     * The user whose username (any case) and password match, or undefined for an unknown user,
     * a wrong password or a disabled user, with no hint which. Every call does exactly one
     * argon2 verification, against a dummy hash when the user is unknown, so the response time
     * does not reveal which usernames exist either.
     */
    async authenticate(username: string, password: string): Promise<PublicUser | undefined> {
      return (await authenticateWithFactor(username, password))?.user;
    },

    /**
     * {@link authenticate}, with whether the user has a confirmed second factor, read in the
     * same statement (the sign-in asks it next).
     */
    authenticateWithFactor,

    /** The user with this id (the `sub` the provider knows), disabled or not. */
    async findById(id: string): Promise<PublicUser | undefined> {
      const user = await users.findById(id);
      return user ? toPublic(user) : undefined;
    },

    /** {@link findById}, with whether the user has a confirmed second factor. */
    async findByIdWithFactor(
      id: string,
    ): Promise<{ user: PublicUser; hasFactor: boolean } | undefined> {
      const found = await users.findByIdWithFactor(id);
      return found && { user: toPublic(found.user), hasFactor: found.hasFactor };
    },

    /** Every user, oldest first. */
    /** A page of users by username, then id, read by the database (the admin API's list). */
    async listPage(page: NamePageQuery): Promise<PublicUser[]> {
      return (await users.listPage(page)).map(toPublic);
    },

    async list(): Promise<PublicUser[]> {
      return (await users.list()).map(toPublic);
    },

    /** The user with this id or username (any case); `not_found` otherwise. */
    async show(idOrUsername: string): Promise<PublicUser> {
      return toPublic(await mustFind(idOrUsername));
    },

    /**
     * Locks the user (by id or username) until the transaction the service runs in ends, and
     * returns it: a change checked against what the caller read (the admin API's `If-Match`)
     * locks, reads, then writes. `not_found` for an unknown user.
     */
    async lockForChange(idOrUsername: string): Promise<PublicUser> {
      const user = await mustFind(idOrUsername);
      if (!(await users.lockForChange(user.id))) {
        throw new AuthServerError('not_found', `no user with id or username "${idOrUsername}"`);
      }
      return toPublic(user);
    },

    /** Replaces the user's password after checking it against the policy. */
    async setPassword(idOrUsername: string, password: string): Promise<PublicUser> {
      const user = await mustFind(idOrUsername);
      validatePassword(password, user.username);
      if (!(await users.setPasswordHash(user.id, await hashPassword(password)))) {
        throw gone(idOrUsername);
      }
      return reload(user);
    },

    /** Sets or clears the user's address; a new one is unverified. */
    async setEmail(idOrUsername: string, email: string | null): Promise<PublicUser> {
      const user = await mustFind(idOrUsername);
      const address = email === null ? null : validateEmail(email);
      if (!(await users.setEmail(user.id, address))) throw gone(idOrUsername);
      return reload(user);
    },

    /** Disables the user and ends their sessions, grants and refresh tokens. */
    async disable(idOrUsername: string): Promise<PublicUser> {
      const user = await mustFind(idOrUsername);
      if (!(await users.setDisabled(user.id, true))) throw gone(idOrUsername);
      return reload(user);
    },

    /** Lets a disabled user sign in again (their old grants stay gone). */
    async enable(idOrUsername: string): Promise<PublicUser> {
      const user = await mustFind(idOrUsername);
      if (!(await users.setDisabled(user.id, false))) throw gone(idOrUsername);
      return reload(user);
    },

    /** Deletes the user with every session, grant and token issued to them. */
    async delete(idOrUsername: string): Promise<PublicUser> {
      const user = await mustFind(idOrUsername);
      if (!(await users.delete(user.id))) throw gone(idOrUsername);
      return toPublic(user);
    },
  };
}

type UserOperations = ReturnType<typeof userOperations>;
