// wrk (C, one thread): loads a server with far less CPU than a Node load generator, which matters
// on 2 cores where the load generator and the server share the machine.
import { execFile, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

/** One HTTP request, sent over and over. */
export interface LoadRequest {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

/** What one wrk run measured. */
export interface WrkFigures {
  rps: number;
  /** Latency percentiles in milliseconds. */
  p50: number;
  p99: number;
  requests: number;
  /** Non-2xx/3xx responses and socket errors (connect, read, write, timeout). */
  failures: number;
  /** What the failures were, as wrk counts them, e.g. `non-2xx 1, timeout 2`; `''` without any. */
  failureKinds: string;
}

/** Whether wrk is installed. */
export const hasWrk = spawnSync('wrk', ['--version']).error === undefined;

/**
 * Runs wrk with one thread and `connections` connections against `request` for `seconds`,
 * pinned to CPU `cpu` (with taskset) when given. A request without a response within 10 s is a
 * failure (wrk's own default is 2 s, which a token request can exceed on a loaded machine
 * without anything being wrong; 10 s is what `pnpm loadtest` allows).
 *
 * @example
 * const figures = await runWrk({ url: 'http://127.0.0.1:3000/' }, { seconds: 10, connections: 64 });
 */
export async function runWrk(
  request: LoadRequest,
  options: { seconds: number; connections: number; cpu?: number },
): Promise<WrkFigures> {
  const dir = await mkdtemp(path.join(tmpdir(), 'portcullis-bench-'));
  try {
    const script = path.join(dir, 'request.lua');
    const headers = Object.entries(request.headers ?? {})
      .map(([k, v]) => `wrk.headers[${JSON.stringify(k)}] = ${JSON.stringify(v)}`)
      .join('\n');
    await writeFile(
      script,
      `wrk.method = ${JSON.stringify(request.method ?? 'GET')}\n${headers}\n${
        request.body ? `wrk.body = ${JSON.stringify(request.body)}\n` : ''
      }`,
    );
    const wrk = [
      'wrk',
      '-t1',
      `-c${options.connections}`,
      `-d${options.seconds}s`,
      '--latency',
      '--timeout',
      '10s',
      '-s',
      script,
      request.url,
    ];
    const [command, ...args] =
      options.cpu === undefined ? wrk : ['taskset', '-c', String(options.cpu), ...wrk];
    const { stdout } = await promisify(execFile)(command as string, args);
    const number = (pattern: RegExp) => Number(pattern.exec(stdout)?.[1] ?? Number.NaN);
    const latency = (pct: string) => {
      const match = new RegExp(`^\\s*${pct}%\\s+([\\d.]+)(us|ms|s)`, 'm').exec(stdout);
      const value = Number(match?.[1]);
      return match?.[2] === 'us' ? value / 1000 : match?.[2] === 's' ? value * 1000 : value;
    };
    const socketErrors =
      /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout);
    const counts: [string, number][] = [
      ['non-2xx', Number(/Non-2xx or 3xx responses: (\d+)/.exec(stdout)?.[1] ?? 0) || 0],
      ...['connect', 'read', 'write', 'timeout'].map(
        (kind, i) => [kind, Number(socketErrors?.[i + 1] ?? 0)] as [string, number],
      ),
    ];
    const failed = counts.filter(([, count]) => count > 0);
    return {
      rps: number(/Requests\/sec:\s+([\d.]+)/),
      p50: latency('50'),
      p99: latency('99'),
      requests: number(/(\d+) requests in/),
      failures: failed.reduce((sum, [, count]) => sum + count, 0),
      failureKinds: failed.map(([kind, count]) => `${kind} ${count}`).join(', '),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
