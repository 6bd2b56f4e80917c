// Memory of the authorization server during a soak: sampled every few seconds, and judged flat
// or not from a least-squares line through the samples taken after the warm-up.
import type { ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';

/**
 * One sample: seconds since the soak started, resident set size and, from the memory probe, the
 * live heap, the heap V8 holds, and memory outside it (Buffers and other C++ objects).
 */
export interface MemorySample {
  at: number;
  rss: number;
  heapUsed?: number;
  heapTotal?: number;
  external?: number;
}

/** Where samples come from: a child with the memory probe preloaded, or any process's RSS. */
export type MemorySource = { child: ChildProcess } | { pid: number };

const MiB = 1024 * 1024;

async function readMemory(source: MemorySource): Promise<Omit<MemorySample, 'at'>> {
  if ('pid' in source) {
    const status = await readFile(`/proc/${source.pid}/status`, 'utf8');
    const kib = Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1]);
    if (!Number.isFinite(kib)) throw new Error(`no RSS for process ${source.pid}`);
    return { rss: kib * 1024 };
  }
  const { child } = source;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.off('message', onMessage);
      reject(new Error('the server did not answer a memory sample within 10 s'));
    }, 10_000);
    const onMessage = (message: unknown) => {
      const memory = (message as { memory?: NodeJS.MemoryUsage }).memory;
      if (!memory) return;
      clearTimeout(timer);
      child.off('message', onMessage);
      const { rss, heapUsed, heapTotal, external } = memory;
      resolve({ rss, heapUsed, heapTotal, external });
    };
    child.on('message', onMessage);
    child.send('memory');
  });
}

/**
 * Samples the memory of `source` now and then every `everySeconds` until stopped; `stop()`
 * takes a last sample and returns them all.
 *
 * @example
 * const sampler = startSampler({ child }, 10);
 * // ... load ...
 * const samples = await sampler.stop();
 */
export function startSampler(
  source: MemorySource,
  everySeconds: number,
): { stop(): Promise<MemorySample[]> } {
  const started = performance.now();
  const samples: MemorySample[] = [];
  let failure: unknown;
  let pending = Promise.resolve();
  const take = () => {
    pending = pending.then(async () => {
      try {
        const at = (performance.now() - started) / 1000;
        samples.push({ at, ...(await readMemory(source)) });
      } catch (error) {
        failure ??= error;
      }
    });
  };
  take();
  const timer = setInterval(take, everySeconds * 1000);
  return {
    async stop() {
      clearInterval(timer);
      take();
      await pending;
      if (failure) throw failure;
      return samples;
    },
  };
}

/**
 * The least-squares line through `points` ([x, y] pairs).
 *
 * @example
 * linearFit([[0, 1], [1, 3], [2, 5]]); // { slope: 2, intercept: 1 }
 */
export function linearFit(points: ReadonlyArray<readonly [number, number]>): {
  slope: number;
  intercept: number;
} {
  const n = points.length;
  const meanX = points.reduce((sum, [x]) => sum + x, 0) / n;
  const meanY = points.reduce((sum, [, y]) => sum + y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const [x, y] of points) {
    sxy += (x - meanX) * (y - meanY);
    sxx += (x - meanX) ** 2;
  }
  const slope = sxx === 0 ? 0 : sxy / sxx;
  return { slope, intercept: meanY - slope * meanX };
}

/** How one series moved after the warm-up, and whether that counts as flat. */
export interface Trend {
  /** Means of the first and the last three samples after the warm-up, in bytes. */
  start: number;
  end: number;
  /** Slope of the fitted line, in bytes per minute. */
  slopePerMinute: number;
  /** What the fitted line rises over the judged window (slope × window), in bytes. */
  growth: number;
  /** The most growth that still counts as flat, in bytes. */
  bound: number;
  flat: boolean;
}

/**
 * The memory bounds: over the judged window a fitted line may rise by at most 5 % of where it
 * started (at least 4 MiB) for the live heap and for external memory, and by at most 10 % (at
 * least 32 MiB) for RSS, which also holds heap pages V8 keeps after collecting and memory the
 * allocator keeps for reuse, so it moves in steps even when nothing is retained.
 */
const MEMORY_BOUNDS = {
  heap: { fraction: 0.05, minimum: 4 * MiB },
  external: { fraction: 0.05, minimum: 4 * MiB },
  rss: { fraction: 0.1, minimum: 32 * MiB },
};

function trend(
  points: ReadonlyArray<readonly [number, number]>,
  bounds: { fraction: number; minimum: number },
): Trend {
  const { slope } = linearFit(points);
  const mean = (some: ReadonlyArray<readonly [number, number]>) =>
    some.reduce((sum, [, y]) => sum + y, 0) / some.length;
  const start = mean(points.slice(0, 3));
  const window = (points.at(-1)?.[0] ?? 0) - (points[0]?.[0] ?? 0);
  const growth = slope * window;
  const bound = Math.max(bounds.minimum, bounds.fraction * start);
  return {
    start,
    end: mean(points.slice(-3)),
    slopePerMinute: slope * 60,
    growth,
    bound,
    flat: growth <= bound,
  };
}

/** A soak's memory verdict: the trend of each series after the warm-up, and which decide. */
export interface MemoryVerdict {
  /** Seconds since the start of the first and last judged samples, and how many there are. */
  from: number;
  to: number;
  samples: number;
  heap?: Trend;
  external?: Trend;
  rss: Trend;
  /** The series the verdict rests on: live heap and external memory when sampled, else RSS. */
  judgedOn: Array<'heap' | 'external' | 'rss'>;
  flat: boolean;
}

/**
 * Judges a soak's samples: those taken after `warmupSeconds` are fitted with a line per series.
 * When the memory probe sampled the live heap (after a full GC) and external memory, memory is
 * flat when neither line rises by more than {@link MEMORY_BOUNDS} over that window: a leak of
 * JavaScript objects or Buffers shows there; RSS is reported beside them. With RSS alone (a
 * running server known by its pid), RSS decides. Needs at least 6 samples after the warm-up.
 *
 * @example
 * const verdict = judgeMemory(samples, 120);
 * if (!verdict.flat) process.exitCode = 1;
 */
export function judgeMemory(
  samples: readonly MemorySample[],
  warmupSeconds: number,
): MemoryVerdict {
  const judged = samples.filter((s) => s.at >= warmupSeconds);
  if (judged.length < 6) {
    throw new Error(
      `only ${judged.length} memory samples after the warm-up: sample more often or soak longer`,
    );
  }
  const series = (field: 'rss' | 'heapUsed' | 'external', bounds: typeof MEMORY_BOUNDS.rss) =>
    judged.every((s) => s[field] !== undefined)
      ? trend(
          judged.map((s) => [s.at, s[field] as number] as const),
          bounds,
        )
      : undefined;
  const rss = series('rss', MEMORY_BOUNDS.rss) as Trend;
  const heap = series('heapUsed', MEMORY_BOUNDS.heap);
  const external = series('external', MEMORY_BOUNDS.external);
  const judgedOn: MemoryVerdict['judgedOn'] = heap
    ? ['heap', ...(external ? (['external'] as const) : [])]
    : ['rss'];
  const trends = { heap, external, rss };
  return {
    from: judged[0]?.at ?? 0,
    to: judged.at(-1)?.at ?? 0,
    samples: judged.length,
    ...(heap ? { heap } : {}),
    ...(external ? { external } : {}),
    rss,
    judgedOn,
    flat: judgedOn.every((name) => trends[name]?.flat),
  };
}
