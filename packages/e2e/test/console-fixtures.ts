import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import { type Stack, startStack } from '../src/index.ts';

/** The console pages' Content-Security-Policy: no script at all. */
export const CONSOLE_POLICY =
  "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/** The password of every user of the console's tests. */
export const CONSOLE_PASSWORD = 'console-test-password';

/**
 * A stack on a database of its own with the admin API and the console on (MFA off: the console's
 * client then requires no second factor), `roles` created (name → `URI scope...`), each of
 * `users` created with its roles, and a client-credentials client per name of `clients`.
 *
 * @example
 * const { database, stack } = await startConsoleStack({ users: { ada: ['portcullis-admin'] } });
 */
export async function startConsoleStack(setup: {
  users: Readonly<Record<string, readonly string[]>>;
  roles?: Readonly<Record<string, string>>;
  clients?: readonly string[];
}): Promise<{ database: TestDatabase; stack: Stack }> {
  const database = await createTestDatabase();
  const stack = await startStack(database.db, database.url, {
    PORTCULLIS_ADMIN_API: 'on',
    PORTCULLIS_ADMIN_CONSOLE: 'on',
    PORTCULLIS_MFA: 'off',
  });
  for (const [role, scope] of Object.entries(setup.roles ?? {})) {
    await stack.cli(['roles', 'create', role, '--scope', scope]);
  }
  for (const [username, roles] of Object.entries(setup.users)) {
    await stack.cli(
      ['users', 'create', '--username', username, '--password-stdin'],
      CONSOLE_PASSWORD,
    );
    for (const role of roles) await stack.cli(['users', 'add-role', username, role]);
  }
  for (const name of setup.clients ?? []) {
    await stack.cli(['clients', 'create', '--name', name, '--grant', 'client_credentials']);
  }
  return { database, stack };
}
