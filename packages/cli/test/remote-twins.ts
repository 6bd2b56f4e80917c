import { PassThrough, Writable } from 'node:stream';
import type { TestDatabase } from '@portcullis/storage/testing';
import { run } from '../src/index.ts';
import { exampleResourceDatabase } from './clients-fixtures.ts';
import { type CliResult, cliWith } from './helpers.ts';
import { NO_DATABASE, type RemoteServe, remoteServe } from './remote-fixtures.ts';

/** What {@link remoteStack} gives a test file. */
export interface RemoteStack {
  /** The file's database, with the example resource. */
  database: TestDatabase;
  /** The `serve` on it, with the admin API on. */
  serve: RemoteServe;
  /** `portcullis ...args` locally, on the database (with the server's secrets). */
  local(args: string[], stdin?: string): Promise<CliResult>;
  /** `portcullis --server URL ...args` with the admin client's credentials (or `env`). */
  remote(args: string[], options?: { env?: NodeJS.ProcessEnv; stdin?: string }): Promise<CliResult>;
}

/**
 * Gives the calling test file its database with the example resource and a {@link remoteServe}
 * on it whose admin client has `scope`, then runs `setup` (in the same `test.before`: ava runs a
 * file's before hooks concurrently); commands run locally or remotely, stdin included.
 *
 * @example
 * const stack = remoteStack('admin:users');
 * const there = await stack.remote(['users', 'set-password', 'alice', '--password-stdin'], {
 *   stdin: 'a new passphrase',
 * });
 */
export function remoteStack(scope: string, setup?: () => Promise<void>): RemoteStack {
  const serve = remoteServe(scope);
  const database = exampleResourceDatabase(async () => {
    await serve.start(database);
    await setup?.();
  });
  return {
    database,
    serve,
    local: (args, stdin = '') => cliWith(database, args, { env: serve.secrets, stdin }),
    remote: (args, options = {}) =>
      cliWith(NO_DATABASE, ['--server', serve.server.href, ...args], {
        env: options.env ?? serve.env,
        stdin: options.stdin ?? '',
      }),
  };
}

/**
 * What may differ between twins made the same way in each mode: their ids, names and the times
 * they were made (and client secrets, shown once). Table columns are compared by their order,
 * not their width.
 *
 * @example
 * t.deepEqual(normalised(there, names, ids), normalised(here, names, ids));
 */
export function normalised(result: CliResult, names: string[], ids: string[]): CliResult {
  const clean = (text: string) => {
    let out = text
      .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g, '<time>')
      .replace(/client_secret(["]?:\s*"?)[\w-]{20,}/g, 'client_secret$1<secret>')
      .replace(/"id": "\d+"/g, '"id": "<secret id>"');
    for (const id of ids) out = out.replaceAll(id, '<id>');
    for (const name of names) out = out.replaceAll(name, '<name>');
    return out.replace(/^(-+ {2})-+/gm, '$1<rule>').replace(/ {2,}/g, '  ');
  };
  return { code: result.code, stdout: clean(result.stdout), stderr: clean(result.stderr) };
}

/**
 * Runs `args(name)` on each twin, the first locally and the second remotely, and gives the two
 * results normalised (the twins' names and ids aside): local, remote.
 *
 * @example
 * const [here, there] = await bothWays(stack, twins, (name) => ['users', 'show', name]);
 */
export async function bothWays(
  stack: RemoteStack,
  twins: readonly [{ name: string; id: string }, { name: string; id: string }],
  args: (name: string) => string[],
  stdin = '',
): Promise<[CliResult, CliResult]> {
  const names = twins.map((twin) => twin.name);
  const ids = twins.map((twin) => twin.id);
  const here = await stack.local(args(twins[0].name), stdin);
  const there = await stack.remote(args(twins[1].name), { stdin });
  return [normalised(here, names, ids), normalised(there, names, ids)];
}

/**
 * Runs `portcullis --server URL ...args` on a terminal and, once it asks its question, runs
 * `meanwhile` (another operator's change), then answers yes: its exit code and stderr. A command
 * that fails before asking is not waited on.
 *
 * @example
 * const { code, stderr } = await confirmAfter(serve, ['clients', 'delete', 'x'], () => change());
 */
export async function confirmAfter(
  serve: RemoteServe,
  args: string[],
  meanwhile: () => Promise<void>,
): Promise<{ code: number; stderr: string }> {
  const stdin = Object.assign(new PassThrough(), { isTTY: true });
  let stderr = '';
  let asked: () => void = () => {};
  const question = new Promise<void>((resolve) => {
    asked = resolve;
  });
  const exited = run(['--server', serve.server.href, ...args], {
    env: { ...serve.env },
    stdout: new Writable({ write: (_chunk, _encoding, done) => done() }),
    stderr: new Writable({
      write(chunk, _encoding, done) {
        stderr += String(chunk);
        if (stderr.includes('[y/N]')) asked();
        done();
      },
    }),
    stdin,
  });
  await Promise.race([question, exited]);
  await meanwhile();
  stdin.end('y\n');
  return { code: await exited, stderr };
}
