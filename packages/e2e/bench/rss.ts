// A server's resident memory, read from /proc (Linux): now, and the peak since it started
// (issue 16, item 3: the authorization server ≤ 150 MB under client-credentials load, the example
// API ≤ 100 MB).
import { readFile } from 'node:fs/promises';

/** Resident set size now and at its peak, in MiB. */
export interface Rss {
  nowMiB: number;
  peakMiB: number;
  /**
   * Of `nowMiB`: the process's own memory (`RssAnon`: heap, stacks, buffers), and pages of
   * mapped files (`RssFile`: mostly the node binary's, shared with every Node.js process).
   */
  anonMiB: number;
  fileMiB: number;
}

/**
 * The process's RSS (`VmRSS`), its peak (`VmHWM`) and what it is made of, from
 * /proc/<pid>/status.
 *
 * @example
 * const { peakMiB } = await rssOf(stack.child.pid as number);
 */
export async function rssOf(pid: number): Promise<Rss> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
  return {
    nowMiB: kib('VmRSS') / 1024,
    peakMiB: kib('VmHWM') / 1024,
    anonMiB: kib('RssAnon') / 1024,
    fileMiB: kib('RssFile') / 1024,
  };
}
