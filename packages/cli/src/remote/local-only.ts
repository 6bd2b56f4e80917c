import type { Command } from 'commander';
import { CliError } from '../errors.ts';

// The commands (or groups of them) that the admin API has no operation for.
const LOCAL_ONLY = new WeakSet<Command>();

/**
 * Marks `command` (a command, or a group and so all its commands) as one that runs only on the
 * database: under `--server` it refuses in one line before doing anything, rather than reading
 * files, keys or stdin for a run that cannot happen.
 *
 * @example
 * localOnly(users.command('invite')).description('...');
 */
export function localOnly<T extends Command>(command: T): T {
  LOCAL_ONLY.add(command);
  return command;
}

/**
 * Refuses `command` in remote mode (`--server`, `PORTCULLIS_SERVER`) when it, or its group, is
 * marked {@link localOnly}: `users invite is not available with --server: ...`, exit 2.
 *
 * @example
 * program.hook('preAction', (_program, command) => refuseLocalOnly(command, io.env));
 */
export function refuseLocalOnly(command: Command, env: NodeJS.ProcessEnv): void {
  if (!env.PORTCULLIS_SERVER?.trim()) return;
  const path: string[] = [];
  let marked = false;
  for (let at: Command | null = command; at?.parent; at = at.parent) {
    path.unshift(at.name());
    marked ||= LOCAL_ONLY.has(at);
  }
  if (marked) {
    throw new CliError(
      `${path.join(' ')} is not available with --server: run it where the database is`,
      2,
    );
  }
}
