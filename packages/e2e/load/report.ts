// The load test's report: a table per kind of request and, after a soak, the memory samples and
// the verdict; or all of it as one JSON document.

import type { MemorySample, MemoryVerdict, Trend } from './memory.ts';
import type { Figures } from './mix.ts';

/** Everything a run found. */
export interface Report {
  mode: 'load' | 'soak';
  /** What was asked for, per round. */
  counts: Record<string, number>;
  rounds: number;
  seconds: number;
  node: string;
  cores: number;
  figures: Figures[];
  failed: number;
  /** False when the load run hit --max-seconds before finishing. */
  finishedInTime: boolean;
  memory?: { samples: MemorySample[]; verdict: MemoryVerdict };
  passed: boolean;
}

const mib = (bytes: number) => (bytes / (1024 * 1024)).toFixed(1);
const optional = (bytes: number | undefined) => (bytes === undefined ? '-' : mib(bytes));
const ms = (value: number) => (value < 10 ? value.toFixed(1) : Math.round(value).toString());

function trendLine(name: string, trend: Trend, judged: boolean): string {
  const verdict = judged ? (trend.flat ? 'flat' : 'GROWING') : 'reported, not judged';
  return `${name}: ${mib(trend.start)} MiB at the start of the window, ${mib(trend.end)} MiB at its end; fitted line ${trend.slopePerMinute >= 0 ? '+' : ''}${mib(trend.slopePerMinute)} MiB/min, ${trend.growth >= 0 ? '+' : ''}${mib(trend.growth)} MiB over the window (bound ${mib(trend.bound)} MiB): ${verdict}`;
}

/**
 * Writes `report` for people: the figures as a Markdown table, then the memory of a soak.
 *
 * @example
 * process.stdout.write(formatReport(report));
 */
export function formatReport(report: Report): string {
  const lines = [
    '',
    `Portcullis ${report.mode === 'soak' ? 'soak' : 'load test'}: ${report.rounds} round(s) in ${report.seconds.toFixed(1)} s of ${report.counts.tokenRequests} token requests (${report.counts.tokenConcurrency} at a time), ${report.counts.apiRequests} API requests (${report.counts.apiConcurrency} at a time) and ${report.counts.refreshes} refresh rotations over ${report.counts.refreshChains} sign-ins, all at once; node ${report.node}, ${report.cores} cores`,
    '',
    '| requests | sent | failed | per second | p50 ms | p90 ms | p99 ms | max ms |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const f of report.figures) {
    lines.push(
      `| ${f.name} | ${f.requests} | ${f.requests - f.ok} | ${Math.round(f.perSecond)} | ${ms(f.latency.p50)} | ${ms(f.latency.p90)} | ${ms(f.latency.p99)} | ${ms(f.latency.max)} |`,
    );
  }
  for (const f of report.figures) {
    for (const [kind, times] of Object.entries(f.failures)) {
      lines.push(`failed: ${times} × ${kind} (${f.name})`);
    }
  }
  if (!report.finishedInTime) lines.push('', 'not finished within --max-seconds');
  if (report.memory) {
    const { samples, verdict } = report.memory;
    lines.push(
      '',
      `Authorization server memory, sampled every few seconds (live heap after a full GC):`,
      '',
      '| s | RSS MiB | live heap MiB | heap held MiB | external MiB |',
      '| ---: | ---: | ---: | ---: | ---: |',
      ...samples.map(
        (s) =>
          `| ${Math.round(s.at)} | ${mib(s.rss)} | ${optional(s.heapUsed)} | ${optional(s.heapTotal)} | ${optional(s.external)} |`,
      ),
      '',
      `Judged from ${Math.round(verdict.from)} s to ${Math.round(verdict.to)} s (${verdict.samples} samples, after the warm-up):`,
      ...(verdict.heap ? [trendLine('live heap', verdict.heap, true)] : []),
      ...(verdict.external
        ? [trendLine('external', verdict.external, verdict.judgedOn.includes('external'))]
        : []),
      trendLine('RSS', verdict.rss, verdict.judgedOn.includes('rss')),
    );
  }
  lines.push(
    '',
    report.passed
      ? `passed: ${report.figures.reduce((sum, f) => sum + f.requests, 0)} requests, none failed${report.memory ? ', memory flat' : ''}`
      : 'FAILED',
    '',
  );
  return lines.join('\n');
}
