// One run of the load test or the soak, from its options to its report.
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { judgeMemory, startSampler } from './memory.ts';
import { apiToken, appConfig, recorders, runMix } from './mix.ts';
import type { LoadOptions } from './options.ts';
import type { Report } from './report.ts';
import { startOwnStack, useRunningStack } from './target.ts';

/**
 * Starts (or registers on) the target, runs the mix once (load) or for the soak's duration,
 * judges the memory samples of a soak, lets go of the target, and returns what it found.
 *
 * @example
 * const report = await runLoad(parseLoadOptions(['--soak', '10m']));
 */
export async function runLoad(options: LoadOptions): Promise<Report> {
  const target =
    options.issuer && options.api
      ? await useRunningStack(options.issuer, options.api, options.pid)
      : await startOwnStack();
  try {
    const config = await appConfig(target);
    const record = recorders();
    const soak = options.soakSeconds !== undefined;
    // Load: fail when not done in time. Soak: stop sending when its time is up.
    const limit = new AbortController();
    const timer = setTimeout(
      () => limit.abort(),
      (options.soakSeconds ?? options.maxSeconds) * 1000,
    );
    const sampler =
      soak && target.memory ? startSampler(target.memory, options.sampleSeconds) : undefined;
    const started = performance.now();
    let rounds = 0;
    try {
      do {
        // A fresh API token each round: a soak outlives an access token's lifetime.
        await runMix(target, config, await apiToken(target), options, record, limit.signal);
        rounds += 1;
      } while (soak && !limit.signal.aborted);
    } finally {
      clearTimeout(timer);
    }
    const seconds = (performance.now() - started) / 1000;
    const samples = await sampler?.stop();
    const verdict = samples ? judgeMemory(samples, options.warmupSeconds) : undefined;
    const figures = Object.values(record).map((r) => r.figures());
    const failed = Object.values(record).reduce((sum, r) => sum + r.failed, 0);
    const finishedInTime = soak || !limit.signal.aborted;
    return {
      mode: soak ? 'soak' : 'load',
      counts: {
        tokenRequests: options.tokenRequests,
        tokenConcurrency: options.tokenConcurrency,
        apiRequests: options.apiRequests,
        apiConcurrency: options.apiConcurrency,
        refreshes: options.refreshes,
        refreshChains: options.refreshChains,
      },
      rounds,
      seconds,
      node: process.version,
      cores: os.availableParallelism(),
      figures,
      failed,
      finishedInTime,
      ...(samples && verdict ? { memory: { samples, verdict } } : {}),
      passed: failed === 0 && finishedInTime && (verdict?.flat ?? true),
    };
  } finally {
    await target.close();
  }
}
