import { Readable, Writable } from 'node:stream';
import type { TestDatabase } from '@portcullis/storage/testing';
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
export async function cli(database: TestDatabase, args: string[], stdin = ''): Promise<CliResult> {
  const out = sink();
  const err = sink();
  const code = await run(args, {
    env: { DATABASE_URL: database.url },
    stdout: out.stream,
    stderr: err.stream,
    stdin: Readable.from([stdin]),
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
