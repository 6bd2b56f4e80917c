import { type Command, Option } from 'commander';
import { CliError } from './errors.ts';
import type { Io } from './runtime.ts';

// 1024 characters (the policy's maximum) of up to 4 UTF-8 bytes each, plus a line ending: anything
// longer is not a password, and reading it all would let a mistaken pipe fill memory.
const MAX_BYTES = 1024 * 4 + 2;

/**
 * Reads a password from the CLI's stdin, as `--password-stdin` promises: passwords never travel
 * in arguments, where shell history and process listings keep them. One trailing newline (from
 * `echo` or a file) is dropped; anything else is part of the password. `what` names it in errors
 * (another secret read the same way: `client secret`).
 */
export async function readStdinPassword(io: Io, what = 'password'): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of io.stdin) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk);
    size += bytes.length;
    if (size > MAX_BYTES) throw new CliError(`the ${what} on stdin is too long`);
    chunks.push(bytes);
  }
  let password: string;
  try {
    password = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    throw new CliError(`the ${what} on stdin is not valid UTF-8`);
  }
  password = password.replace(/\r?\n$/, '');
  if (password === '') {
    throw new CliError(
      `no ${what} on stdin: pipe it in, like \`printf %s "$PW" | portcullis ...\``,
    );
  }
  return password;
}

/**
 * Makes `command` refuse `--password` (with or without a value) as soon as it is parsed, before
 * any other check, with one line saying to use `--password-stdin` (exit 2). The option is declared,
 * hidden, only for this: as an unknown option commander would echo `--password=...` back in its
 * error, and a missing `--password-stdin` would be reported first.
 *
 * @example
 * refusePasswordArgument(users.command('create').requiredOption('--password-stdin', '...'));
 */
export function refusePasswordArgument(command: Command): Command {
  return refuseSecretArgument(command, 'password', 'passwords');
}

/**
 * Makes `command` refuse `--<option>` the way {@link refusePasswordArgument} refuses `--password`:
 * `what` names the secrets in the one line, which says to use `--<option>-stdin`.
 *
 * @example
 * refuseSecretArgument(idps.command('create'), 'client-secret', 'client secrets');
 */
export function refuseSecretArgument(command: Command, option: string, what: string): Command {
  return command
    .addOption(new Option(`--${option} [${option}]`).hideHelp())
    .on(`option:${option}`, () => {
      throw new CliError(
        `${what} are never accepted as arguments (shell history and process lists keep them): use --${option}-stdin`,
        2,
      );
    });
}
