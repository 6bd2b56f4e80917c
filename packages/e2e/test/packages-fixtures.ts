// Helpers of packages.slow.test.ts: the machine's own Node.js and npm, a child process run to its
// end, and the files of the consumer project that installs the packed packages.
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';

/** The machine's Node.js (not the Node.js 24 that pnpm puts first on PATH) and its npm. */
export interface MachineNode {
  node: string;
  npm: string;
  /** PATH without node_modules folders: `#!/usr/bin/env node` there finds the machine's Node.js. */
  path: string;
}

/**
 * The first `node` and `npm` on PATH outside any node_modules folder: pnpm puts the workspace's
 * Node.js 24 (the `node` package) and every node_modules/.bin before the machine's own.
 */
export function machineNode(env: NodeJS.ProcessEnv = process.env): MachineNode {
  const dirs = (env.PATH ?? '')
    .split(path.delimiter)
    .filter((dir) => dir !== '' && !dir.split(path.sep).includes('node_modules'));
  const find = (name: string) => {
    for (const dir of dirs) {
      const file = path.join(dir, name);
      try {
        accessSync(file, constants.X_OK);
        return file;
      } catch {}
    }
    throw new Error(`no ${name} on PATH outside node_modules`);
  };
  return { node: find('node'), npm: find('npm'), path: dirs.join(path.delimiter) };
}

/**
 * The environment for the consumer's processes: this one without what pnpm and ava add (the
 * NODE_PATH of ava's launcher would let the installed packages find the workspace's
 * dependencies; npm_config_* would reconfigure npm), without Portcullis settings, and with the
 * machine's Node.js first on PATH. The machine's npm configuration (registry, CA) still applies.
 */
export function consumerEnv(machine: MachineNode): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined || /^(npm_|pnpm_|PNPM_|PORTCULLIS_)/.test(key)) continue;
    if (['NODE_PATH', 'NODE_OPTIONS', 'DATABASE_URL', 'INIT_CWD'].includes(key)) continue;
    env[key] = value;
  }
  env.PATH = machine.path;
  return env;
}

/** How a process ended and what it wrote. */
export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `command` to its end; never rejects on a non-zero exit (the caller asserts on it). */
export function run(
  command: string,
  args: string[],
  options: { cwd: string; env: Record<string, string> },
): Promise<Finished> {
  const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  return finished(child);
}

/** Collects a child's output until it closes. */
export function finished(child: ChildProcess): Promise<Finished> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Resolves with the first line `child` writes on stdout, parsed as JSON. */
export function firstJsonLine<T>(child: ChildProcess, stderr: () => string): Promise<T> {
  let stdout = '';
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const end = stdout.indexOf('\n');
      if (end !== -1) resolve(JSON.parse(stdout.slice(0, end)) as T);
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code}: ${stderr()}`)));
  });
}

/**
 * A Koa API in plain JavaScript, as an API team writes it: it accepts tokens of ISSUER for
 * AUDIENCE with `notes:read`, prints `{"port": ...}` once it listens and stops on SIGTERM.
 */
export const KOA_APP = `import { createResourceServer, requireScopes } from '@portcullis/resource-server';
import Koa from 'koa';

const rs = createResourceServer({ issuer: process.env.ISSUER, audience: process.env.AUDIENCE });
const app = new Koa();
app.use(rs.authenticate());
app.use(requireScopes('notes:read'));
app.use((ctx) => {
  const { subject, clientId, scope } = ctx.state.auth;
  ctx.body = { sub: subject, client_id: clientId, scope };
});
const server = app.listen(0, '127.0.0.1', () => {
  console.log(JSON.stringify({ port: server.address().port }));
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

/** A TypeScript consumer of the public types; `typo: true` adds two type errors. */
export function typedConsumer(typo: boolean): string {
  return `import {
  type AuthContext,
  type AuthenticatedState,
  createResourceServer,
  errorCodes,
  type ResourceServerOptions,
  type Rule,
  and,
  anyOf,
  permit,
  resourceScope,
} from '@portcullis/resource-server';
import Koa from 'koa';

const options: ResourceServerOptions = {
  issuer: 'http://127.0.0.1:3000',
  ${typo ? 'audeince' : 'audience'}: 'https://notes.example.test',
};
const rs = createResourceServer(options);
const rule: Rule = and(resourceScope('notes'), anyOf('notes:read', 'admin'));
const app = new Koa<AuthenticatedState>();
app.use(rs.authenticate());
app.use(permit(rule));
app.use((ctx) => {
  const auth: AuthContext = ctx.state.auth;
  const subject: ${typo ? 'number' : 'string'} = auth.subject;
  ctx.body = { subject, scopes: [...auth.scopes], code: errorCodes.invalidToken };
});
`;
}

/** A tsconfig checking `file` alone: strict, Node's module resolution, our `.d.ts` checked too. */
export function tsconfigFor(file: string): string {
  return JSON.stringify({
    compilerOptions: {
      target: 'es2022',
      module: 'nodenext',
      moduleResolution: 'nodenext',
      strict: true,
      noEmit: true,
      skipLibCheck: false,
      types: ['node'],
    },
    files: [file],
  });
}
