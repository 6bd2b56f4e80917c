import { createUsersService } from '@portcullis/auth-server';
import type { TestDatabase } from '@portcullis/storage/testing';
import type { ExecutionContext } from 'ava';
import { type CliResult, cli } from './helpers.ts';

/** The password the users tests sign up with. */
export const PASSWORD = 'tr0ub4dor&3 but longer';

/** A user as `--json` prints it. */
export interface UserJson {
  id: string;
  username: string;
  email: string | null;
  email_verified: boolean;
  name: string | null;
  disabled: boolean;
  created_at: string;
}

/** What {@link usersCli} returns. */
export interface UsersCli {
  run(args: string[], stdin?: string): Promise<CliResult>;
  runJson<T = Record<string, unknown>>(args: string[], stdin?: string): Promise<T>;
  createUser(username: string, args?: string[]): Promise<UserJson>;
  userRows(): Promise<Array<Record<string, unknown>>>;
  authenticate(username: string, password: string): Promise<{ id: string } | undefined>;
  neverPrinted(t: ExecutionContext, runs: number, secrets?: string[]): void;
}

/**
 * The CLI against one test database, keeping every output so the file's last test can check
 * that none ever contained a password.
 */
export function usersCli(database: TestDatabase): UsersCli {
  const outputs: CliResult[] = [];

  async function run(args: string[], stdin = ''): Promise<CliResult> {
    const result = await cli(database, args, stdin);
    outputs.push(result);
    return result;
  }

  async function runJson<T = Record<string, unknown>>(args: string[], stdin = ''): Promise<T> {
    const result = await run([...args, '--json'], stdin);
    if (result.code !== 0) throw new Error(`portcullis ${args.join(' ')} failed: ${result.stderr}`);
    return JSON.parse(result.stdout) as T;
  }

  return {
    run,
    runJson,
    /** Registers `username` with {@link PASSWORD} (and `args`, like `--email`). */
    createUser: (username: string, args: string[] = []) =>
      runJson<UserJson>(
        ['users', 'create', '--username', username, '--password-stdin', ...args],
        `${PASSWORD}\n`,
      ),
    /** Every stored user row, to check that a refused command wrote nothing. */
    userRows: () => database.db('users').orderBy('id'),
    /** The user when `password` signs them in, else undefined. */
    authenticate: (username: string, password: string) =>
      createUsersService(database.db).authenticate(username, password),
    /**
     * Fails unless there were at least `runs` runs and none of their outputs contained one of
     * `secrets` (PASSWORD always).
     */
    neverPrinted(t: ExecutionContext, runs: number, secrets: string[] = []) {
      t.true(outputs.length >= runs, `${outputs.length} runs`);
      for (const { stdout, stderr } of outputs) {
        for (const secret of [PASSWORD, ...secrets]) {
          t.false(stdout.includes(secret) || stderr.includes(secret), `${stdout}${stderr}`);
        }
      }
    },
  };
}
