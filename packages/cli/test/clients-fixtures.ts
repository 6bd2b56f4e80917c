import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import { run } from '../src/index.ts';
import {
  API,
  type CliResult,
  cli,
  cliJson,
  createExampleResource,
  failsWithOneLine,
} from './helpers.ts';

/**
 * Gives the calling test file its own database with the example resource, created in a
 * `test.before` hook and dropped after all its tests; `setup`, when given, runs in that hook once
 * the resource exists (ava runs a file's before hooks concurrently, so more fixtures go there).
 * The returned object reads through to that database once it exists.
 *
 * @example
 * const database = exampleResourceDatabase(async () => {
 *   await createService(database, 'worker');
 * });
 */
export function exampleResourceDatabase(setup?: () => Promise<void>): TestDatabase {
  let database: TestDatabase | undefined;
  test.before(async () => {
    database = await createTestDatabase();
    await createExampleResource(database);
    await setup?.();
  });
  test.after.always(async () => {
    await database?.drop();
  });
  const current = () => {
    if (!database) throw new Error('the test database is created in test.before');
    return database;
  };
  return {
    get url() {
      return current().url;
    },
    get db() {
      return current().db;
    },
    drop: () => current().drop(),
  };
}

/**
 * Gives the calling test file a temporary folder, made in a `test.before` hook and removed with
 * everything in it after all its tests; `file(name)` is a path inside it.
 *
 * @example
 * const temp = temporaryFolder('portcullis-keys-');
 * await writeFile(temp.file('keys.json'), '{}');
 */
export function temporaryFolder(prefix: string): { file(name: string): string } {
  let dir: string | undefined;
  test.before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), prefix));
  });
  test.after.always(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  return {
    file(name) {
      if (!dir) throw new Error('the folder is made in test.before');
      return path.join(dir, name);
    },
  };
}

/**
 * Registers another resource with one scope through the CLI.
 *
 * @example
 * await createResource(database, 'https://other.example', 'Other', 'other:read=Other');
 */
export async function createResource(
  database: TestDatabase,
  identifier: string,
  name: string,
  scope: string,
): Promise<void> {
  await cliJson(database, [
    'resources',
    'create',
    '--identifier',
    identifier,
    '--name',
    name,
    '--scope',
    scope,
  ]);
}

/** A client as `--json` prints it. */
export interface ClientJson {
  client_id: string;
  client_secret?: string;
  name: string;
  grant_types: string[];
  redirect_uris: string[];
  scope: string;
  resources: string[];
  public: boolean;
  first_party: boolean;
  homepage: string | null;
  logo_uri: string | null;
  access_token_ttl: number | null;
  refresh_token_ttl: number | null;
  disabled: boolean;
  last_used_at: string | null;
  created_at: string;
  updated_at: string;
}

/** A secret as `--json` prints it. */
export interface SecretJson {
  id: string;
  name: string;
  created_at: string;
  expires_at: string | null;
  expired: boolean;
  last_used_at: string | null;
}

/** The arguments of `clients create` for a client-credentials client of the example resource. */
export function serviceArgs(name: string, args: string[] = []): string[] {
  return [
    'clients',
    'create',
    '--name',
    name,
    '--grant',
    'client_credentials',
    '--resource',
    API,
    '--scope',
    'notes:read',
    ...args,
  ];
}

/** Registers a client-credentials client for the example resource; `args` add or override. */
export function createService(
  database: TestDatabase,
  name: string,
  args: string[] = [],
): Promise<ClientJson> {
  return cliJson<ClientJson>(database, serviceArgs(name, args));
}

/**
 * The arguments of `clients create` for a confidential authorization-code client with refresh
 * tokens, then `args`.
 */
export const webAppArgs = (name: string, args: string[] = []): string[] => [
  'clients',
  'create',
  '--name',
  name,
  '--grant',
  'authorization_code',
  'refresh_token',
  '--redirect-uri',
  'https://app.example.com/cb',
  '--resource',
  API,
  '--scope',
  'openid notes:read',
  ...args,
];

/** Registers a confidential authorization-code client with refresh tokens. */
export function createWebApp(
  database: TestDatabase,
  name: string,
  args: string[] = [],
): Promise<ClientJson> {
  return cliJson<ClientJson>(database, webAppArgs(name, args));
}

/** Runs the CLI with stdin as a terminal on which the operator types `typed` (and more `env`). */
export async function cliOnTerminal(
  database: Pick<TestDatabase, 'url'>,
  args: string[],
  typed: string,
  env: NodeJS.ProcessEnv = {},
): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const stdin = Readable.from([typed]) as Readable & { isTTY?: boolean };
  stdin.isTTY = true;
  const sink = (append: (text: string) => void) =>
    new Writable({
      write(chunk, _encoding, done) {
        append(String(chunk));
        done();
      },
    });
  const code = await run(args, {
    env: { DATABASE_URL: database.url, ...env },
    stdout: sink((text) => {
      stdout += text;
    }),
    stderr: sink((text) => {
      stderr += text;
    }),
    stdin,
  });
  return { code, stdout, stderr };
}

/** The audit events recorded for a client, oldest first. */
export async function auditOf(
  database: TestDatabase,
  clientId: string,
): Promise<Array<{ type: string; actor: string; details: Record<string, unknown> }>> {
  return database.db('audit_events').where({ client_id: clientId }).orderBy('id');
}

/** The stored row of a client, for checking that a refused command wrote nothing. */
export async function clientRow(
  database: TestDatabase,
  clientId: string,
): Promise<Record<string, unknown> | undefined> {
  return database.db('clients').where({ id: clientId }).first();
}

export { API, cli, cliJson, failsWithOneLine };
