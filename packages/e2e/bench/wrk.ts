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
  /** Non-2xx/3xx responses and socket errors. */
  failures: number;
}

/** Whether wrk is installed. */
export const hasWrk = spawnSync('wrk', ['--version']).error === undefined;

/**
 * Runs wrk with one thread and `connections` connections against `request` for `seconds`,
 * pinned to CPU `cpu` (with taskset) when given.
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
    return {
      rps: number(/Requests\/sec:\s+([\d.]+)/),
      p50: latency('50'),
      p99: latency('99'),
      requests: number(/(\d+) requests in/),
      failures:
        (Number(/Non-2xx or 3xx responses: (\d+)/.exec(stdout)?.[1] ?? 0) || 0) +
        (socketErrors ? socketErrors.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
