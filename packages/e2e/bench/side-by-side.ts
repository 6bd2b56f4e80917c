// Throughput ratios that survive a machine whose speed drifts: two servers measured at the same
// time on the same CPU, instead of one after the other.
import { execFile, spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { promisify } from 'node:util';
import { hasWrk, type LoadRequest, runWrk } from './wrk.ts';

/** Whether this machine can measure side by side: wrk, taskset and at least two CPUs. */
export const canRunSideBySide =
  hasWrk && availableParallelism() >= 2 && spawnSync('taskset', ['--version']).error === undefined;

/** A server under load: the request to send it and its process (to pin). */
export interface Contender {
  request: LoadRequest;
  pid: number;
}

/** The figures of {@link sideBySide}. */
export interface SideBySideFigures {
  /** `b`'s requests per second as a share of `a`'s, one per round. */
  ratios: number[];
  median: number;
  /** Requests per second of `a` and of `b`, one per round. */
  aRps: number[];
  bRps: number[];
  /** Failed requests of both, over all rounds (a round with failures is not valid). */
  failures: number;
  /** Which failures, by round and server (`a` or `b`), e.g. `round 2, b: timeout 1`. */
  failureKinds: string[];
}

const pin = (pid: number, cpus: string) =>
  promisify(execFile)('taskset', ['-a', '-p', '-c', cpus, String(pid)]);

const median = (values: number[]) => {
  const sorted = [...values].sort((x, y) => x - y);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};

/**
 * Measures `b`'s throughput as a share of `a`'s side by side: both server processes pinned to
 * CPU 0, where the scheduler gives each the same share of the same CPU, and loaded at the same
 * time by two wrk processes pinned to CPU 1. Whatever slows the machine down during a round
 * slows both alike, so their ratio is the ratio of their costs per request, where two runs one
 * after the other can differ by a third on a shared host. One warm-up, then `rounds` rounds of
 * `seconds`; the servers are unpinned afterwards.
 *
 * @example
 * const { median } = await sideBySide(hello, api, { rounds: 5, seconds: 5, warmupSeconds: 3, connections: 64 });
 */
export async function sideBySide(
  a: Contender,
  b: Contender,
  options: { rounds: number; seconds: number; warmupSeconds: number; connections: number },
): Promise<SideBySideFigures> {
  const both = (seconds: number) =>
    Promise.all(
      [a, b].map((contender) =>
        runWrk(contender.request, { seconds, connections: options.connections, cpu: 1 }),
      ),
    );
  await Promise.all([pin(a.pid, '0'), pin(b.pid, '0')]);
  try {
    await both(options.warmupSeconds);
    const figures: SideBySideFigures = {
      ratios: [],
      median: 0,
      aRps: [],
      bRps: [],
      failures: 0,
      failureKinds: [],
    };
    for (let round = 0; round < options.rounds; round++) {
      const [ofA, ofB] = await both(options.seconds);
      if (ofA === undefined || ofB === undefined) throw new Error('wrk gave no figures');
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
    return figures;
  } finally {
    const all = `0-${availableParallelism() - 1}`;
    await Promise.all([pin(a.pid, all), pin(b.pid, all)]);
  }
}
