// 1 to 64 of letters, digits, `.`, `_`, `@`, `-`: the users service refuses any other name.
const USERNAME = /^[A-Za-z0-9._@-]{1,64}$/;

/**
 * The username `typed` names: trimmed, when it has a username's shape (1 to 64 of letters,
 * digits, `.`, `_`, `@`, `-`); undefined otherwise. Only such a name can belong to a user, so
 * anything else is never looked up (people type passwords into the username field).
 *
 * @example
 * asUsername(' alice '); // 'alice'
 * asUsername('correct horse'); // undefined
 */
export function asUsername(typed: string): string | undefined {
  const name = typed.trim();
  return USERNAME.test(name) ? name : undefined;
}
