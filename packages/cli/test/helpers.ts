import { Readable, Writable } from 'node:stream';
import type { TestDatabase } from '@portcullis/storage/testing';
import type { ExecutionContext } from 'ava';
import { run } from '../src/index.ts';

/** The result of one CLI invocation. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

function sink(): { stream: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(Buffer.from(chunk));
      done();
    },
  });
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

/** Runs `portcullis ...args` in process against the test's database. */
export function cli(database: TestDatabase, args: string[], stdin = ''): Promise<CliResult> {
  return cliWith(database, args, { stdin });
}

/**
 * Runs `portcullis ...args` in process with more environment (`env`, added to DATABASE_URL)
 * or stdin given as bytes.
 */
export async function cliWith(
  database: Pick<TestDatabase, 'url'>,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; stdin?: string | Buffer } = {},
): Promise<CliResult> {
  const out = sink();
  const err = sink();
  const code = await run(args, {
    env: { DATABASE_URL: database.url, ...options.env },
    stdout: out.stream,
    stderr: err.stream,
    stdin: Readable.from([options.stdin ?? '']),
  });
  return { code, stdout: out.text(), stderr: err.text() };
}

/** Runs the command, expects success, and parses its JSON output. */
export async function cliJson<T = Record<string, unknown>>(
  database: TestDatabase,
  args: string[],
): Promise<T> {
  const result = await cli(database, [...args, '--json']);
  if (result.code !== 0) throw new Error(`portcullis ${args.join(' ')} failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

export const API = 'http://localhost:4000';

/** Registers the example resource through the CLI. */
export async function createExampleResource(database: TestDatabase): Promise<void> {
  await cliJson(database, [
    'resources',
    'create',
    '--identifier',
    API,
    '--name',
    'Notes',
    '--scope',
    'notes:read=Read your notes',
    '--scope',
    'notes:write=Write your notes',
  ]);
}

/** Exit `code` (1: failed, 2: usage error) with exactly one line on stderr and nothing on stdout. */
export function failsWithOneLine(
  t: ExecutionContext,
  result: CliResult,
  why: RegExp,
  code = 1,
): void {
  t.is(result.code, code, result.stderr);
  t.regex(result.stderr, why);
  t.is(result.stderr.trim().split('\n').length, 1, result.stderr);
  t.is(result.stdout, '');
}

/**
 * `--help` of `portcullis ...command` succeeds, shows an example running it first, and offers
 * `--json`; returns the help text.
 */
export async function showsHelpWithExample(
  t: ExecutionContext,
  database: Pick<TestDatabase, 'url'>,
  command: string[],
): Promise<string> {
  const help = await cliWith(database, [...command, '--help']);
  t.is(help.code, 0, help.stderr);
  t.is(help.stderr, '');
  t.regex(help.stdout, new RegExp(`Examples?:\n {2}\\$ .*portcullis ${command.join(' ')}`));
  t.regex(help.stdout, /--json/);
  return help.stdout;
}
