// The load test's command line: every count and duration is bounded, and every target is on
// loopback, so `pnpm loadtest` can only ever load this machine, for a limited time.
import { parseArgs } from 'node:util';

/** What one run does. */
export interface LoadOptions {
  /** Client-credentials token requests, and how many at a time. */
  tokenRequests: number;
  tokenConcurrency: number;
  /** Example-API requests (GET /me and GET /notes in turn), and how many at a time. */
  apiRequests: number;
  apiConcurrency: number;
  /** Refresh-token rotations in all, spread over `refreshChains` signed-in grants. */
  refreshes: number;
  refreshChains: number;
  /** The run fails when it has not finished within this many seconds (load mode). */
  maxSeconds: number;
  /** Soak mode: repeat the mix for this many seconds, sampling the server's memory. */
  soakSeconds: number | undefined;
  /** Seconds between memory samples, and seconds of the soak left out of the memory verdict. */
  sampleSeconds: number;
  warmupSeconds: number;
  /** A running stack to load instead of starting one (both on loopback). */
  issuer: string | undefined;
  api: string | undefined;
  /** The process id of that running authorization server, for its memory (RSS) in a soak. */
  pid: number | undefined;
  json: boolean;
}

/** A bad command line: the runner prints the message on one line and exits 2. */
export class UsageError extends Error {}

export const USAGE = `Usage: pnpm loadtest [options]

Loads a Portcullis stack on this machine with a mix of client-credentials token requests,
example-API requests and refresh-token rotations (grants from scripted sign-ins), all at once,
and reports throughput, latency percentiles and errors. Exits 0 only when every request
succeeded within --max-seconds (and, in a soak, memory stayed flat: see docs/benchmarks.md);
1 otherwise; 2 on a bad option.

Options:
  --token-requests N     client-credentials token requests [10000] (1 to 1000000)
  --token-concurrency N  at a time [50] (1 to 1000)
  --api-requests N       example-API requests [20000] (1 to 1000000)
  --api-concurrency N    at a time [100] (1 to 1000)
  --refreshes N          refresh-token rotations [2000] (0 to 1000000)
  --refresh-chains N     signed-in grants whose refresh tokens rotate in parallel [10] (1 to 100)
  --max-seconds N        fail a load run that takes longer [300] (1 to 3600)
  --soak DURATION        repeat the mix for DURATION (30s to 1h, like 10m), sampling the
                         authorization server's memory; fail if its live heap or external
                         memory grows (RSS is reported; it decides only with --pid)
  --sample-every DURATION  memory sample interval in a soak [10s] (1s to 1m)
  --warmup DURATION      start of a soak left out of the memory verdict [2m, at most half]
  --issuer URL           load this running authorization server instead of starting a stack
  --api URL              ... and this example API (its resource identifier); loopback only;
                         clients and a user are registered through DATABASE_URL, then removed
  --pid PID              the running authorization server's process, for its RSS in a soak
  --json                 print the report as one JSON document
  -h, --help             show this help

Examples:
  $ pnpm loadtest
  $ pnpm loadtest --soak 10m
  $ pnpm loadtest --issuer http://localhost:3000 --api http://localhost:4000 --token-requests 1000`;

function count(
  value: string | undefined,
  name: string,
  fallback: number,
  min: number,
  max: number,
) {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) {
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, got "${value}"`);
  }
  return n;
}

// Seconds from "90", "90s", "10m" or "1h" (this module stays light: the runner reads its options
// before it loads anything else, so a refusal is immediate).
function duration(value: string | undefined, name: string, min: number, max: number) {
  if (value === undefined) return undefined;
  const match = /^(\d{1,6})([smh]?)$/.exec(value);
  const seconds = match
    ? Number(match[1]) * ({ s: 1, m: 60, h: 3600 }[match[2] || 's'] ?? 1)
    : undefined;
  if (seconds === undefined || seconds < min || seconds > max) {
    throw new UsageError(
      `--${name} must be a duration from ${min}s to ${max}s (like 10m or 30s), got "${value}"`,
    );
  }
  return seconds;
}

const LOOPBACK_NAMES = new Set(['localhost', '[::1]']);

/**
 * Throws a {@link UsageError} unless `url` is http(s) on a loopback address (127.0.0.0/8,
 * ::1, localhost): the load test never sends its traffic anywhere else.
 *
 * @example
 * assertLoopback('http://127.0.0.1:3000/token', 'the token endpoint'); // fine
 * assertLoopback('https://auth.example.com', '--issuer'); // throws
 */
export function assertLoopback(url: string, what: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`${what} must be an absolute URL, got "${url}"`);
  }
  const host = parsed.hostname;
  const loopback = LOOPBACK_NAMES.has(host) || /^127(\.\d{1,3}){3}$/.test(host);
  if (!['http:', 'https:'].includes(parsed.protocol) || !loopback) {
    throw new UsageError(
      `${what} ${url} is not on loopback: the load test only loads this machine (127.0.0.1, ::1, localhost)`,
    );
  }
}

/**
 * Parses the load test's arguments (without `node` and the script), applying defaults and
 * bounds; throws {@link UsageError} for anything unknown, unbounded or off loopback.
 *
 * @example
 * parseLoadOptions(['--soak', '10m']).soakSeconds; // 600
 */
export function parseLoadOptions(argv: string[]): LoadOptions | 'help' {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        'token-requests': { type: 'string' },
        'token-concurrency': { type: 'string' },
        'api-requests': { type: 'string' },
        'api-concurrency': { type: 'string' },
        refreshes: { type: 'string' },
        'refresh-chains': { type: 'string' },
        'max-seconds': { type: 'string' },
        soak: { type: 'string' },
        'sample-every': { type: 'string' },
        warmup: { type: 'string' },
        issuer: { type: 'string' },
        api: { type: 'string' },
        pid: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message.split('\n')[0] ?? 'bad arguments');
  }
  if (values.help) return 'help';
  const text = (name: string) => values[name] as string | undefined;
  const soakSeconds = duration(text('soak'), 'soak', 30, 3600);
  const sampleSeconds = duration(text('sample-every'), 'sample-every', 1, 60) ?? 10;
  const warmupSeconds =
    duration(text('warmup'), 'warmup', 0, 1800) ?? Math.min(120, (soakSeconds ?? 0) / 4);
  if (soakSeconds !== undefined && warmupSeconds > soakSeconds / 2) {
    throw new UsageError('--warmup must be at most half of --soak');
  }
  if (soakSeconds === undefined && (text('sample-every') || text('warmup'))) {
    throw new UsageError('--sample-every and --warmup are for a soak (--soak DURATION)');
  }
  const issuer = text('issuer');
  const api = text('api');
  if ((issuer === undefined) !== (api === undefined)) {
    throw new UsageError('--issuer and --api go together: the running stack to load');
  }
  if (issuer !== undefined) assertLoopback(issuer, '--issuer');
  if (api !== undefined) assertLoopback(api, '--api');
  const pid = text('pid') === undefined ? undefined : count(text('pid'), 'pid', 0, 1, 2 ** 22);
  if (pid !== undefined && issuer === undefined) {
    throw new UsageError('--pid is for a running stack (--issuer and --api)');
  }
  if (soakSeconds !== undefined && issuer !== undefined && pid === undefined) {
    throw new UsageError('a soak of a running stack needs --pid: the memory it judges is its');
  }
  const refreshChains = count(text('refresh-chains'), 'refresh-chains', 10, 1, 100);
  return {
    tokenRequests: count(text('token-requests'), 'token-requests', 10_000, 1, 1_000_000),
    tokenConcurrency: count(text('token-concurrency'), 'token-concurrency', 50, 1, 1000),
    apiRequests: count(text('api-requests'), 'api-requests', 20_000, 1, 1_000_000),
    apiConcurrency: count(text('api-concurrency'), 'api-concurrency', 100, 1, 1000),
    refreshes: count(text('refreshes'), 'refreshes', 2000, 0, 1_000_000),
    refreshChains,
    maxSeconds: count(text('max-seconds'), 'max-seconds', 300, 1, 3600),
    soakSeconds,
    sampleSeconds,
    warmupSeconds,
    issuer,
    api,
    pid,
    json: values.json === true,
  };
}
