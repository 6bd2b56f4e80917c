import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const bin = path.join(root, 'packages/cli/src/bin.ts');

/** A child process a test started, and how to stop it. */
export interface Running {
  child: ChildProcess;
  /** Everything it wrote on stderr so far. */
  stderr(): string;
  /** SIGTERM, then waits for the exit; resolves with the exit code. */
  stop(): Promise<number | null>;
}

/**
 * Collects the stderr of `child` and gives a way to stop it.
 *
 * @example
 * const running = track(spawn('nginx', args, { stdio: ['ignore', 'ignore', 'pipe'] }));
 */
export function track(child: ChildProcess): Running {
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return {
    child,
    stderr: () => stderr,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/**
 * Starts `portcullis serve --json` as its own process with `env` (and PATH); resolves with its
 * URL once it listens.
 *
 * @example
 * const replica = await startServe({ DATABASE_URL: url, PORTCULLIS_PORT: '0', ... });
 * await replica.stop();
 */
export async function startServe(env: Record<string, string>): Promise<Running & { url: string }> {
  const child = spawn(process.execPath, [bin, 'serve', '--json'], {
    cwd: root,
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const running = track(child);
  let stdout = '';
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes('\n')) resolve((JSON.parse(stdout) as { port: number }).port);
    });
    child.once('exit', (code) =>
      reject(new Error(`serve exited with ${code}: ${running.stderr()}`)),
    );
  });
  return { ...running, url: `http://127.0.0.1:${port}` };
}
