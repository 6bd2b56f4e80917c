// What the load test loads: a stack it starts on loopback (the benchmark's stack-server, with
// the memory probe preloaded), or a running one the operator names, on loopback too.
import { randomBytes } from 'node:crypto';
import { mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveDatabase } from '@portcullis/storage';
import { startChild, stopChild } from '../bench/children.ts';
import { type BenchClients, registerBenchClients } from '../bench/register.ts';
import { cliJson } from '../src/index.ts';
import type { MemorySource } from './memory.ts';
import { assertLoopback } from './options.ts';

/** A stack under load: where to send requests, with what credentials, and how to let go. */
export interface Target extends BenchClients {
  issuer: string;
  api: string;
  tokenEndpoint: string;
  /** The authorization server's process, when its memory can be sampled. */
  memory: MemorySource | undefined;
  close(): Promise<void>;
}

const probe = path.join(path.dirname(fileURLToPath(import.meta.url)), 'memory-probe.ts');

// The token endpoint from discovery, which must be on loopback too.
async function tokenEndpointOf(issuer: string): Promise<string> {
  const response = await fetch(`${issuer}/.well-known/openid-configuration`);
  if (!response.ok) throw new Error(`${issuer} has no discovery document (${response.status})`);
  const { token_endpoint: endpoint } = (await response.json()) as { token_endpoint: string };
  assertLoopback(endpoint, 'the token endpoint');
  return endpoint;
}

/**
 * Starts the stack in a process of its own (packages/e2e/bench/stack-server.ts: authorization
 * server and example API on 127.0.0.1, a fresh database next to DATABASE_URL, or an embedded
 * PostgreSQL when it is unset), with the memory probe preloaded and --expose-gc.
 *
 * @example
 * const target = await startOwnStack();
 * try { ... } finally { await target.close(); }
 */
export async function startOwnStack(): Promise<Target> {
  const database = await resolveDatabase({
    databaseUrl: process.env.DATABASE_URL,
    dataDir: path.resolve(process.env.PORTCULLIS_DATA_DIR ?? '.portcullis', 'load'),
  });
  try {
    // The stack logs as in production (a JSON access line per request), to a file in the data
    // folder that the next run overwrites, as `pnpm bench` does: the load pays for its log and
    // the load test's own output stays its report.
    const log = path.resolve(process.env.PORTCULLIS_DATA_DIR ?? '.portcullis', 'loadtest.log');
    mkdirSync(path.dirname(log), { recursive: true });
    const { child, info } = await startChild(
      'stack-server.ts',
      { ...process.env, DATABASE_URL: database.url },
      {
        nodeArgs: ['--expose-gc', '--trace-warnings', '--import', probe],
        ipc: true,
        stderr: openSync(log, 'w'),
      },
    );
    const close = async () => {
      await stopChild(child);
      await database.stop();
    };
    try {
      const issuer = info.issuer as string;
      const api = info.api as string;
      assertLoopback(issuer, 'the issuer');
      assertLoopback(api, 'the API');
      return {
        issuer,
        api,
        tokenEndpoint: await tokenEndpointOf(issuer),
        basic: info.basic as string,
        appId: info.appId as string,
        appSecret: info.appSecret as string,
        username: info.username as string,
        password: info.password as string,
        redirectUri: info.redirectUri as string,
        memory: { child },
        close,
      };
    } catch (error) {
      await close();
      throw error;
    }
  } catch (error) {
    await database.stop();
    throw error;
  }
}

// `portcullis ...args --json` in process.
const cli = <T>(args: string[], stdin = ''): Promise<T> =>
  cliJson<T>(process.env as Record<string, string>, args, stdin);

/**
 * Loads a running stack (`portcullis dev`, or `serve` with the example API): registers a
 * client, a user and an app with names of their own through the CLI on the environment's
 * database (DATABASE_URL, or the embedded one in the data folder), and removes them on close.
 *
 * @example
 * const target = await useRunningStack('http://localhost:3000', 'http://localhost:4000');
 */
export async function useRunningStack(
  issuer: string,
  api: string,
  pid: number | undefined,
): Promise<Target> {
  const tokenEndpoint = await tokenEndpointOf(issuer);
  const suffix = `-load-${randomBytes(4).toString('hex')}`;
  const clients = await registerBenchClients(cli, api, suffix);
  return {
    issuer,
    api,
    tokenEndpoint,
    ...clients,
    memory: pid === undefined ? undefined : { pid },
    async close() {
      await cli(['clients', 'delete', `bench${suffix}`, '--yes']);
      await cli(['clients', 'delete', `bench-app${suffix}`, '--yes']);
      await cli(['users', 'delete', clients.username]);
    },
  };
}
