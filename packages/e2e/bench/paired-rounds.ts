// Throughput ratios that survive a machine whose speed drifts: two servers measured in short
// alternating rounds, each alone, instead of once each, minutes apart.
import { execFile, spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { promisify } from 'node:util';
import { cpuSeconds } from './browser-flows.ts';
import { type LoadRequest, runWrk } from './wrk.ts';

/** A server under load: the request to send it, and its process (to pin it). */
export interface Contender {
  request: LoadRequest;
  pid: number | undefined;
}

// The two CPUs of these machines need not run at the same speed: a server the scheduler keeps on
// the slower one looks slower. Both servers of a pair run on CPU 0 and wrk on CPU 1, one at a
// time, when taskset and two CPUs are there.
/** Whether servers can be pinned to a CPU (taskset, and two CPUs or more). */
export const canPin =
  availableParallelism() >= 2 && spawnSync('taskset', ['--version']).error === undefined;
/** Pins a process (all its threads) to `cpus` (`'0'`, `'0-1'`); nothing when {@link canPin} is false. */
export const pin = (pid: number | undefined, cpus: string) =>
  pid === undefined || !canPin
    ? Promise.resolve()
    : promisify(execFile)('taskset', ['-a', '-p', '-c', cpus, String(pid)]);

/** The figures of {@link pairedRounds}. */
export interface PairedFigures {
  /** `b`'s requests per second as a share of `a`'s, one per round. */
  ratios: number[];
  median: number;
  /**
   * `a`'s CPU time per request as a share of `b`'s (what `b`'s throughput would be, as a share of
   * `a`'s, if both were bound by their own CPU), one per round, from /proc; empty without pids.
   */
  cpuRatios: number[];
  cpuMedian: number;
  /** Requests per second of `a` and of `b`, one per round. */
  aRps: number[];
  bRps: number[];
  /** Failed requests of both, over all rounds (a round with failures is not valid). */
  failures: number;
  /** Which failures, by round and server (`a` or `b`), e.g. `round 2, b: timeout 1`. */
  failureKinds: string[];
}

/** The median of `values`. */
export const median = (values: number[]) => {
  const sorted = [...values].sort((x, y) => x - y);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};

/**
 * Measures `b`'s throughput as a share of `a`'s in alternating rounds: one warm-up of each, then
 * `rounds` times `a` alone for `seconds` and `b` alone for `seconds`; the figure is the median of
 * the rounds' ratios. Each server is measured alone, on the same CPU as the other (CPU 0, wrk on
 * CPU 1), and a machine whose speed drifts skews a round's ratio only by what changed within
 * those few seconds. The servers are unpinned afterwards.
 *
 * (Measuring both at once, pinned to one CPU, was tried and dropped: it is steady, but it
 * narrows real differences; see docs/benchmarks.md.)
 *
 * @example
 * const { median } = await pairedRounds(hello, api, { rounds: 7, seconds: 3, warmupSeconds: 3, connections: 64 });
 */
export async function pairedRounds(
  a: Contender,
  b: Contender,
  options: { rounds: number; seconds: number; warmupSeconds: number; connections: number },
): Promise<PairedFigures> {
  const { connections } = options;
  const cpu = canPin ? 1 : undefined;
  const load = (contender: Contender, seconds: number) =>
    runWrk(contender.request, { seconds, connections, ...(cpu !== undefined && { cpu }) });
  await Promise.all([pin(a.pid, '0'), pin(b.pid, '0')]);
  try {
    return await measureRounds(a, b, options, load);
  } finally {
    const all = `0-${availableParallelism() - 1}`;
    await Promise.all([pin(a.pid, all), pin(b.pid, all)]);
  }
}

async function measureRounds(
  a: Contender,
  b: Contender,
  options: { rounds: number; seconds: number; warmupSeconds: number },
  load: (contender: Contender, seconds: number) => ReturnType<typeof runWrk>,
): Promise<PairedFigures> {
  for (const contender of [a, b]) await load(contender, options.warmupSeconds);
  const figures: PairedFigures = {
    ratios: [],
    median: 0,
    cpuRatios: [],
    cpuMedian: 0,
    aRps: [],
    bRps: [],
    failures: 0,
    failureKinds: [],
  };
  for (let round = 0; round < options.rounds; round++) {
    const [ofA, cpuOfA] = await measured(a, () => load(a, options.seconds));
    const [ofB, cpuOfB] = await measured(b, () => load(b, options.seconds));
    if (cpuOfA !== undefined && cpuOfB !== undefined && ofA.requests > 0 && ofB.requests > 0) {
      figures.cpuRatios.push(cpuOfA / ofA.requests / (cpuOfB / ofB.requests));
    }
    figures.aRps.push(ofA.rps);
    figures.bRps.push(ofB.rps);
    figures.ratios.push(ofB.rps / ofA.rps);
    figures.failures += ofA.failures + ofB.failures;
    for (const [which, of] of [
      ['a', ofA],
      ['b', ofB],
    ] as const) {
      if (of.failures > 0)
        figures.failureKinds.push(`round ${round + 1}, ${which}: ${of.failureKinds}`);
    }
  }
  figures.median = median(figures.ratios);
  figures.cpuMedian = figures.cpuRatios.length > 0 ? median(figures.cpuRatios) : Number.NaN;
  return figures;
}

// Runs `run` and returns its result with the CPU seconds the contender's process spent meanwhile.
async function measured<T>(
  contender: Contender,
  run: () => Promise<T>,
): Promise<[T, number | undefined]> {
  if (contender.pid === undefined) return [await run(), undefined];
  const before = await cpuSeconds(contender.pid);
  const result = await run();
  return [result, (await cpuSeconds(contender.pid)) - before];
}
