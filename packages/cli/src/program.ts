import { Command, CommanderError } from 'commander';
import { registerApply } from './commands/apply.ts';
import { registerAuditList } from './commands/audit-list.ts';
import { registerAuditTail } from './commands/audit-tail.ts';
import { registerClientsCreate } from './commands/clients-create.ts';
import { registerClientsDelete } from './commands/clients-delete.ts';
import { registerClientsDisable } from './commands/clients-disable.ts';
import { registerClientsEnable } from './commands/clients-enable.ts';
import { registerClientsList } from './commands/clients-list.ts';
import { registerClientsRotateSecret } from './commands/clients-rotate-secret.ts';
import { registerClientsSecrets } from './commands/clients-secrets.ts';
import { registerClientsShow } from './commands/clients-show.ts';
import { registerClientsUpdate } from './commands/clients-update.ts';
import { registerDbMigrate } from './commands/db-migrate.ts';
import { registerDbStatus } from './commands/db-status.ts';
import { registerDev } from './commands/dev.ts';
import { registerDoctor } from './commands/doctor.ts';
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
import { describeError } from './errors.ts';
import type { Io } from './runtime.ts';

/** Builds the `portcullis` command tree, writing to `io`. */
export function createProgram(io: Io): Command {
  const program = new Command('portcullis')
    .description('Portcullis: OAuth 2.0 / OpenID Connect for TypeScript teams')
    .showSuggestionAfterError()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    });

  const db = program.command('db').description('database schema');
  registerDbMigrate(db, io);
  registerDbStatus(db, io);

  const clients = program.command('clients').description('OAuth clients');
  registerClientsCreate(clients, io);
  registerClientsList(clients, io);
  registerClientsShow(clients, io);
  registerClientsUpdate(clients, io);
  registerClientsRotateSecret(clients, io);
  registerClientsSecrets(clients, io);
  registerClientsDisable(clients, io);
  registerClientsEnable(clients, io);
  registerClientsDelete(clients, io);

  const resources = program.command('resources').description('API resources and their scopes');
  registerResourcesCreate(resources, io);
  registerResourcesList(resources, io);
  registerResourcesShow(resources, io);
  registerResourcesUpdate(resources, io);
  registerResourcesDelete(resources, io);
  registerResourcesApply(resources, io);

  const tokens = program
    .command('tokens')
    .description('operator-issued API tokens, revocation and the janitor');
  registerTokensIssue(tokens, io);
  registerTokensRevoke(tokens, io);
  registerTokensPurge(tokens, io);

  const users = program.command('users').description('end users who sign in');
  registerUsersCreate(users, io);
  registerUsersList(users, io);
  registerUsersShow(users, io);
  registerUsersSetPassword(users, io);
  registerUsersDisable(users, io);
  registerUsersEnable(users, io);
  registerUsersDelete(users, io);

  const grants = program.command('grants').description("users' grants to apps");
  registerGrantsList(grants, io);
  registerGrantsRevoke(grants, io);

  const keys = program.command('keys').description('signing keys and their rotation');
  registerKeysList(keys, io);
  registerKeysRotate(keys, io);

  const audit = program.command('audit').description('the audit trail of security events');
  registerAuditList(audit, io);
  registerAuditTail(audit, io);

  registerApply(program, io);
  registerDev(program, io);
  registerDoctor(program, io);
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
    io.stderr.write(`portcullis: ${describeError(error)}\n`);
    if (io.env.PORTCULLIS_DEBUG === '1' && error instanceof Error)
      io.stderr.write(`${error.stack}\n`);
    return typeof (error as { exitCode?: unknown }).exitCode === 'number'
      ? (error as { exitCode: number }).exitCode
      : 1;
  }
}
