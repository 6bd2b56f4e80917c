import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import { type CliResult, cliWith } from './helpers.ts';

/** The key-encryption key the keys tests' "servers" use. */
export const KEK = randomBytes(32).toString('base64url');

/** A signing key as `--json` prints it. */
export interface KeyJson {
  kid: string;
  alg: string;
  state: string;
  age_seconds: number;
  created_at: string;
  activated_at: string | null;
  retired_at: string | null;
  activates_at: string | null;
  removes_at: string | null;
}

/** A test database and an empty data folder (no development key-encryption key in it). */
export interface KeysContext {
  database: TestDatabase;
  emptyDataDir: string;
  close(): Promise<void>;
}

/** Opens a {@link KeysContext}; close it after the file's tests. */
export async function openKeysContext(): Promise<KeysContext> {
  const database = await createTestDatabase();
  const emptyDataDir = await mkdtemp(path.join(os.tmpdir(), 'portcullis-keys-'));
  return {
    database,
    emptyDataDir,
    async close() {
      await database.drop();
      await rm(emptyDataDir, { recursive: true, force: true });
    },
  };
}

/** Runs `portcullis keys ...args` with the key-encryption key (or `env`) as a named actor. */
export function keys(
  context: KeysContext,
  args: string[],
  env: Record<string, string> = {},
): Promise<CliResult> {
  return cliWith(context.database, ['keys', ...args], {
    env: {
      PORTCULLIS_DATA_DIR: context.emptyDataDir,
      PORTCULLIS_ACTOR: 'ops-bot',
      PORTCULLIS_KEY_ENCRYPTION_KEY: KEK,
      ...env,
    },
  });
}

/** Runs `portcullis keys ...args --json`, expects success and parses the output. */
export async function keysJson<T>(context: KeysContext, args: string[]): Promise<T> {
  const result = await keys(context, [...args, '--json']);
  if (result.code !== 0) throw new Error(`keys ${args.join(' ')}: ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

/** The keys of `alg` in `state`. */
export const byState = (list: KeyJson[], state: string, alg: string): KeyJson[] =>
  list.filter((k) => k.state === state && k.alg === alg);

/** Seconds from one ISO time to another. */
export const seconds = (from: string | null, to: string | null): number =>
  (Date.parse(to ?? '') - Date.parse(from ?? '')) / 1000;
