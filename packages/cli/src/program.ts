import { type Command, CommanderError } from 'commander';
import { registerApply } from './commands/apply.ts';
import { registerAuditList } from './commands/audit-list.ts';
import { registerAuditTail } from './commands/audit-tail.ts';
import { registerClientsCreate } from './commands/clients-create.ts';
import { registerClientsDelete } from './commands/clients-delete.ts';
import { registerClientsDisable } from './commands/clients-disable.ts';
import { registerClientsEnable } from './commands/clients-enable.ts';
import { registerClientsList } from './commands/clients-list.ts';
import { registerClientsRemoveSecret } from './commands/clients-remove-secret.ts';
import { registerClientsRotateSecret } from './commands/clients-rotate-secret.ts';
import { registerClientsSecrets } from './commands/clients-secrets.ts';
import { registerClientsShow } from './commands/clients-show.ts';
import { registerClientsUpdate } from './commands/clients-update.ts';
import { registerDbMigrate } from './commands/db-migrate.ts';
import { registerDbRemoveEmbedded } from './commands/db-remove-embedded.ts';
import { registerDbStatus } from './commands/db-status.ts';
import { registerDev } from './commands/dev.ts';
import { registerDoctor } from './commands/doctor.ts';
import { registerExampleApi } from './commands/example-api.ts';
import { registerGrantsList } from './commands/grants-list.ts';
import { registerGrantsRevoke } from './commands/grants-revoke.ts';
import { registerKeysList } from './commands/keys-list.ts';
import { registerKeysRotate } from './commands/keys-rotate.ts';
import { registerResourcesApply } from './commands/resources-apply.ts';
import { registerResourcesCreate } from './commands/resources-create.ts';
import { registerResourcesDelete } from './commands/resources-delete.ts';
import { registerResourcesList } from './commands/resources-list.ts';
import { registerResourcesShow } from './commands/resources-show.ts';
import { registerResourcesUpdate } from './commands/resources-update.ts';
import { registerSecretsGenerate } from './commands/secrets-generate.ts';
import { registerServe } from './commands/serve.ts';
import { registerTokensIssue } from './commands/tokens-issue.ts';
import { registerTokensPurge } from './commands/tokens-purge.ts';
import { registerTokensRevoke } from './commands/tokens-revoke.ts';
import { registerUsersCreate } from './commands/users-create.ts';
import { registerUsersDelete } from './commands/users-delete.ts';
import { registerUsersDisable } from './commands/users-disable.ts';
import { registerUsersEnable } from './commands/users-enable.ts';
import { registerUsersList } from './commands/users-list.ts';
import { registerUsersSetPassword } from './commands/users-set-password.ts';
import { registerUsersShow } from './commands/users-show.ts';
import { registerUsersUnlock } from './commands/users-unlock.ts';
import { describeError } from './errors.ts';
import { paint } from './output.ts';
import { PortcullisCommand } from './portcullis-command.ts';
import type { Io } from './runtime.ts';

/**
 * A group of commands (`portcullis clients ...`): its help lists them, with `examples`.
 *
 * @example
 * const keys = group(program, 'keys', 'signing keys', ['keys list']);
 */
function group(program: Command, name: string, description: string, examples: string[]): Command {
  return program
    .command(name)
    .description(description)
    .addHelpText(
      'after',
      `\nExamples:\n${examples.map((example) => `  $ portcullis ${example}`).join('\n')}`,
    );
}

/** Builds the `portcullis` command tree, writing to `io`. */
export function createProgram(io: Io): Command {
  const program = new PortcullisCommand('portcullis')
    .description('Portcullis: OAuth 2.0 / OpenID Connect for TypeScript teams')
    .showSuggestionAfterError()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      // Usage errors: commander's `error: ...` line, the prefix in red on a terminal, and its
      // suggestion kept on that line (commander puts `(Did you mean --name?)` on a second one).
      outputError: (text, write) =>
        write(
          text
            .replace(/\n\(Did you mean (.*)\?\)\n$/, ' (did you mean $1?)\n')
            .replace(/^error:/, paint(io.stderr, 'red', 'error:')),
        ),
    })
    .addHelpText(
      'after',
      `
Every command takes --help (with examples) and --json (machine-readable output on stdout).
Exit codes: 0 success, 1 the command failed (one line on stderr says why), 2 usage error.
The operator guide, docs/operators.md, describes every command.

Example:
  $ portcullis clients list`,
    );

  const db = group(program, 'db', 'database schema and the embedded PostgreSQL', [
    'db status',
    'db migrate',
  ]);
  registerDbMigrate(db, io);
  registerDbStatus(db, io);
  registerDbRemoveEmbedded(db, io);

  const clients = group(program, 'clients', 'OAuth clients', [
    'clients list',
    'clients show billing',
  ]);
  registerClientsCreate(clients, io);
  registerClientsList(clients, io);
  registerClientsShow(clients, io);
  registerClientsUpdate(clients, io);
  registerClientsRotateSecret(clients, io);
  registerClientsSecrets(clients, io);
  registerClientsRemoveSecret(clients, io);
  registerClientsDisable(clients, io);
  registerClientsEnable(clients, io);
  registerClientsDelete(clients, io);

  const resources = group(program, 'resources', 'API resources and their scopes', [
    'resources list',
    'resources show https://api.example.com',
  ]);
  registerResourcesCreate(resources, io);
  registerResourcesList(resources, io);
  registerResourcesShow(resources, io);
  registerResourcesUpdate(resources, io);
  registerResourcesDelete(resources, io);
  registerResourcesApply(resources, io);

  const tokens = group(
    program,
    'tokens',
    'operator-issued API tokens, revocation and the janitor',
    ['tokens revoke --client billing', 'tokens purge --dry-run'],
  );
  registerTokensIssue(tokens, io);
  registerTokensRevoke(tokens, io);
  registerTokensPurge(tokens, io);

  const users = group(program, 'users', 'end users who sign in', [
    'users list',
    'users show alice',
  ]);
  registerUsersCreate(users, io);
  registerUsersList(users, io);
  registerUsersShow(users, io);
  registerUsersSetPassword(users, io);
  registerUsersDisable(users, io);
  registerUsersEnable(users, io);
  registerUsersUnlock(users, io);
  registerUsersDelete(users, io);

  const grants = group(program, 'grants', "users' grants to apps", ['grants list --user alice']);
  registerGrantsList(grants, io);
  registerGrantsRevoke(grants, io);

  const keys = group(program, 'keys', 'signing keys and their rotation', [
    'keys list',
    'keys rotate',
  ]);
  registerKeysList(keys, io);
  registerKeysRotate(keys, io);

  const audit = group(program, 'audit', 'the audit trail of security events', [
    'audit list --since 24h',
    'audit tail --json',
  ]);
  registerAuditList(audit, io);
  registerAuditTail(audit, io);

  const secrets = group(program, 'secrets', 'secrets for serve: cookie keys, key-encryption key', [
    'secrets generate >> .env',
  ]);
  registerSecretsGenerate(secrets, io);

  registerApply(program, io);
  registerDev(program, io);
  registerDoctor(program, io);
  registerExampleApi(program, io);
  registerServe(program, io);

  // Every command, at every depth, reports usage errors through `run` instead of exiting.
  const override = (command: Command) => {
    command.exitOverride();
    for (const sub of command.commands) override(sub);
  };
  override(program);
  return program;
}

/**
 * Runs the CLI and returns the exit code: 0 on success, 1 when the command failed, 2 for a usage
 * error. Failures print one line on stderr, never a stack trace.
 */
export async function run(argv: readonly string[], io: Io): Promise<number> {
  const program = createProgram(io);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are "errors" to commander; commander already printed the message.
      return error.exitCode === 0 ? 0 : 2;
    }
    io.stderr.write(`${paint(io.stderr, 'red', 'portcullis:')} ${describeError(error)}\n`);
    if (io.env.PORTCULLIS_DEBUG === '1' && error instanceof Error)
      io.stderr.write(`${error.stack}\n`);
    return typeof (error as { exitCode?: unknown }).exitCode === 'number'
      ? (error as { exitCode: number }).exitCode
      : 1;
  }
}
