import type { PublicUser, UserRoleChange } from '@portcullis/auth-server/services';

/** A new user, as `users create` reads it (the password from stdin). */
export interface NewUserInput {
  username: string;
  password: string;
  email?: string;
  name?: string;
}

/** What `users unlock` cleared: the failed sign-ins counted for the name, and its user if any. */
export interface Unlocked {
  user?: { id: string; username: string } | undefined;
  failures: number;
}

/**
 * What the `users` commands do (but `invite` and `mfa`), as one interface with two back ends:
 * the users and roles services on the database, or the admin API (`--server`). Either prints
 * the same. A password goes in a request body, never in a URL, and comes back from neither.
 */
export interface UsersBackend {
  list(): Promise<PublicUser[]>;
  show(idOrUsername: string): Promise<{ user: PublicUser; roles: string[] }>;
  create(input: NewUserInput): Promise<PublicUser>;
  setEmail(idOrUsername: string, email: string | null): Promise<PublicUser>;
  setPassword(idOrUsername: string, password: string): Promise<PublicUser>;
  disable(idOrUsername: string): Promise<PublicUser>;
  enable(idOrUsername: string): Promise<PublicUser>;
  unlock(username: string): Promise<Unlocked>;
  /** Gives (`add`) or takes a role; `changed` false when the user already had it (or had not). */
  role(add: boolean, idOrUsername: string, role: string): Promise<UserRoleChange>;
  delete(idOrUsername: string): Promise<PublicUser>;
}
