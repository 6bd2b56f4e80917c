import type { Command } from 'commander';
import { usersBackend } from '../backends/select-users.ts';
import { userJson } from '../format/users.ts';
import { printJson, printLines } from '../output.ts';
import { readStdinPassword, refusePasswordArgument } from '../read-stdin-password.ts';
import type { Io } from '../runtime.ts';

interface Options {
  username: string;
  passwordStdin: true;
  email?: string;
  name?: string;
  json?: boolean;
}

/** `portcullis users create`: registers a user whose password comes from stdin. */
export function registerUsersCreate(users: Command, io: Io): void {
  refusePasswordArgument(users.command('create'))
    .description('register a user; the password is read from stdin and stored as an argon2id hash')
    .requiredOption('--username <username>', '1-64 of letters, digits, . _ @ -; unique in any case')
    .requiredOption('--password-stdin', 'read the password from stdin (8 to 1024 characters)')
    .option('--email <email>', 'email address (not verified)')
    .option('--name <name>', 'display name (the `name` claim)')
    .option('--json', 'machine-readable output')
    .addHelpText(
      'after',
      `
Example:
  $ printf '%s' "$PASSWORD" | portcullis users create --username alice --password-stdin \\
      --email alice@example.com --name "Alice Liddell"`,
    )
    .action(async (options: Options) => {
      const password = await readStdinPassword(io);
      const user = await (await usersBackend(io)).create({
        username: options.username,
        password,
        ...(options.email !== undefined ? { email: options.email } : {}),
        ...(options.name !== undefined ? { name: options.name } : {}),
      });
      if (options.json) return printJson(io, userJson(user));
      printLines(io, [`created user "${user.username}"`, `id: ${user.id}`]);
    });
}
