// Servers for the benchmark and the load test, each in a process of its own, started from a
// script in this folder that prints one line of JSON (what the load generator needs) once ready.
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * Starts `script` (a file in packages/e2e/bench) with `env`, and resolves with its first line of
 * output parsed as JSON. `nodeArgs` go before the script (like `--expose-gc`); `ipc` opens a
 * message channel to it (`child.send`); `stderr`, a file descriptor, takes its stderr (its log)
 * instead of this process's.
 *
 * @example
 * const stack = await startChild('stack-server.ts', { ...process.env, DATABASE_URL: url });
 * console.log(stack.info.issuer);
 */
export function startChild(
  script: string,
  env: NodeJS.ProcessEnv,
  options: { nodeArgs?: string[]; ipc?: boolean; stderr?: number } = {},
): Promise<{ child: ChildProcess; info: Record<string, string> }> {
  return startScript(path.join(here, script), env, options);
}

/**
 * {@link startChild} for a script at any path, such as another checkout's bench folder (an A/B of
 * two builds).
 *
 * @example
 * const api = await startScript('/tmp/baseline/packages/e2e/bench/api-server.ts', env);
 */
export async function startScript(
  scriptPath: string,
  env: NodeJS.ProcessEnv,
  options: { nodeArgs?: string[]; ipc?: boolean; stderr?: number } = {},
): Promise<{ child: ChildProcess; info: Record<string, string> }> {
  const stderr = options.stderr ?? 'inherit';
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), scriptPath], {
    env,
    stdio: options.ipc ? ['ignore', 'pipe', stderr, 'ipc'] : ['ignore', 'pipe', stderr],
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const info = await new Promise<Record<string, string>>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${scriptPath} exited with ${code}`)));
    lines.once('line', (line) => resolve(JSON.parse(line) as Record<string, string>));
  });
  return { child, info };
}

/**
 * Stops a child started by {@link startChild} with SIGTERM and waits for it to exit.
 *
 * @example
 * await stopChild(stack.child);
 */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}
