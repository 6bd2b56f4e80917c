import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src/bin.ts');

/** A `portcullis` process started by {@link startCli}. */
export interface ChildCli {
  /** Its process id (the same after `portcullis` replaced itself: heap-flags.ts). */
  pid: number;
  /** Resolves with the first line on stdout; rejects if the process exits before printing one. */
  firstLine(): Promise<string>;
  stdout(): string;
  stderr(): string;
  /** Sends `signal` and resolves with the exit code. */
  stop(signal: NodeJS.Signals): Promise<number | null>;
  /** Resolves with the exit code once the process ends by itself. */
  exited(): Promise<number | null>;
}

/**
 * Runs `portcullis ...args` as a child process (the real binary, real signals) with only `env`
 * and PATH in its environment: for the commands that run until interrupted (`dev`, `serve`).
 */
export function startCli(args: string[], env: NodeJS.ProcessEnv): ChildCli {
  const child = spawn(process.execPath, [bin, ...args], {
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const firstLine = new Promise<string>((resolve, reject) => {
    const check = () => {
      const end = stdout.indexOf('\n');
      if (end >= 0) {
        child.stdout.off('data', check);
        resolve(stdout.slice(0, end));
      }
    };
    child.stdout.on('data', check);
    void exited.then((code) => reject(new Error(`exited with ${code} first: ${stderr}`)));
  });
  // A test that never asks for the first line (the output is on stderr) must not see it rejected.
  firstLine.catch(() => {});
  // A test that failed half-way must not leave a server running.
  process.once('exit', () => child.kill('SIGKILL'));
  return {
    pid: child.pid as number,
    firstLine: () => firstLine,
    stdout: () => stdout,
    stderr: () => stderr,
    async stop(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
    exited: () => exited,
  };
}
