import type { Logger } from '@portcullis/auth-server';
import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import { HttpBrowser, type Stack, startStack, submitForm } from '../src/index.ts';

/** The console pages' Content-Security-Policy: no script at all. */
export const CONSOLE_POLICY =
  "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/** The password of every user of the console's tests. */
export const CONSOLE_PASSWORD = 'console-test-password';

/** The settings of a console test's stack: the admin API and the console on, MFA off. */
export const CONSOLE_ENV: Readonly<Record<string, string>> = {
  PORTCULLIS_ADMIN_API: 'on',
  PORTCULLIS_ADMIN_CONSOLE: 'on',
  PORTCULLIS_MFA: 'off',
};

/** What a console test's stack holds: roles (name → `URI scope...`), users, clients. */
export interface ConsoleSetup {
  users: Readonly<Record<string, readonly string[]>>;
  roles?: Readonly<Record<string, string>>;
  clients?: readonly string[];
}

/**
 * Creates `roles`, each of `users` with its roles, and a client-credentials client per name of
 * `clients`, with the CLI of `stack`.
 *
 * @example
 * await populateConsole(stack, { users: { ada: ['portcullis-admin'] } });
 */
export async function populateConsole(stack: Stack, setup: ConsoleSetup): Promise<void> {
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
}

/**
 * A stack on a database of its own with {@link CONSOLE_ENV} and `env` (MFA off: the console's
 * client then requires no second factor), populated as {@link populateConsole} does; the server
 * logs to `options.logger` when given (a test that reads the log).
 *
 * @example
 * const { database, stack } = await startConsoleStack({ users: { ada: ['portcullis-admin'] } });
 */
export async function startConsoleStack(
  setup: ConsoleSetup,
  env: Readonly<Record<string, string>> = {},
  options: { logger?: Logger } = {},
): Promise<{ database: TestDatabase; stack: Stack }> {
  const database = await createTestDatabase();
  const stack = await startStack(database.db, database.url, { ...CONSOLE_ENV, ...env }, options);
  await populateConsole(stack, setup);
  return { database, stack };
}

/**
 * Signs `username` in through the console over plain HTTP, starting at `path`; answers the
 * browser (its cookies the console's session) and the last response, its URL and its page.
 *
 * @example
 * const { browser, page } = await consoleSignedIn(stack, 'ada', '/admin/doctor');
 */
export async function consoleSignedIn(stack: Stack, username: string, path: string) {
  const browser = new HttpBrowser(stack.issuer);
  const login = await browser.follow(`${stack.issuer}${path}`);
  const { next } = await submitForm(browser, login, { username, password: CONSOLE_PASSWORD });
  return { browser, response: next.response, url: next.url, page: await next.response.text() };
}

/**
 * Makes the console's access tokens live 30 seconds, under the minute before expiry from which
 * the console renews them: every console request then renews its token (with a rotated refresh
 * token), so a revoked grant or a role taken away is seen at the next request, without waiting.
 *
 * @example
 * await shortConsoleTokens(stack);
 */
export async function shortConsoleTokens(stack: Stack): Promise<void> {
  const clients = await stack.cli<Array<{ client_id: string; name: string }>>([
    'clients',
    'list',
    '--json',
  ]);
  const console = clients.find((c) => c.name === 'Portcullis console');
  await stack.cli(['clients', 'update', console?.client_id ?? '', '--access-token-ttl', '30s']);
}
