import type { Command } from 'commander';
import { CliError } from '../errors.ts';

// The commands (or groups of them) that the admin API has no operation for, with what to do.
const LOCAL_ONLY = new WeakMap<Command, string>();

/**
 * Marks `command` (a command, or a group and so all its commands) as one that runs only on the
 * database: under `--server` it refuses in one line before doing anything, rather than reading
 * files, keys or stdin for a run that cannot happen. `instead` says what to do.
 *
 * @example
 * localOnly(users.command('invite')).description('...');
 * localOnly(program.command('example-api'), 'it runs here, on no database: run it without --server');
 */
export function localOnly<T extends Command>(
  command: T,
  instead = 'run it where the database is',
): T {
  LOCAL_ONLY.set(command, instead);
  return command;
}

/**
 * Refuses `command` in remote mode (`--server`, `PORTCULLIS_SERVER`) when it, or its group, is
 * marked {@link localOnly}: `users invite is not available with --server: ...`, exit 2. `source`
 * names where the mode came from, so that an operator who set only the variable is told which
 * one to unset.
 *
 * @example
 * program.hook('preAction', (_program, command) => refuseLocalOnly(command, io.env, '--server'));
 */
export function refuseLocalOnly(
  command: Command,
  env: NodeJS.ProcessEnv,
  source: '--server' | 'PORTCULLIS_SERVER' = '--server',
): void {
  if (!env.PORTCULLIS_SERVER?.trim()) return;
  const path: string[] = [];
  let instead: string | undefined;
  for (let at: Command | null = command; at?.parent; at = at.parent) {
    path.unshift(at.name());
    instead ??= LOCAL_ONLY.get(at);
  }
  if (instead !== undefined) {
    throw new CliError(`${path.join(' ')} is not available with ${source}: ${instead}`, 2);
  }
}
