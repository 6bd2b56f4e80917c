import type { pino } from 'pino';

/** Lines for a synchronous destination, some of them written together; see {@link batchLines}. */
export interface LineBatch {
  /** Queues `line`, written with the others queued in this turn of the event loop. */
  queue(line: string): void;
  /** Writes `line` now, after whatever is queued: the log keeps its order. */
  write(line: string): void;
  /** Writes whatever is queued, now. */
  flush(): void;
}

// A batch holds at most this much before it is written at once.
const MAX_QUEUED = 64 * 1024;
// The batches holding lines, written when the process exits.
const pending = new Set<LineBatch>();
let flushOnExit = false;

/**
 * Batches lines for `destination` (a synchronous one: each write is a system call, the largest
 * cost of a line on these machines): lines queued during one turn of the event loop are written
 * together at its end (`setImmediate`), or as soon as 64 KiB are waiting, or before any line
 * written with `write`, and at the latest when the process exits, however it exits
 * (`process.exit`, a signal the server handles, an uncaught exception: logger-exit.test.ts).
 * A process killed outright (SIGKILL, an abort) loses what was queued in its last turn.
 *
 * @example
 * const lines = batchLines(pino.destination({ fd: 2, sync: true }));
 * lines.queue(accessLine); // several per turn under load, one system call
 */
export function batchLines(destination: pino.DestinationStream): LineBatch {
  let queued = '';
  let scheduled = false;
  const batch: LineBatch = {
    queue(line) {
      if (queued === '') pending.add(batch);
      queued += line;
      if (queued.length >= MAX_QUEUED) batch.flush();
      else if (!scheduled) {
        scheduled = true;
        setImmediate(() => {
          scheduled = false;
          batch.flush();
        });
      }
    },
    write(line) {
      batch.flush();
      destination.write(line);
    },
    flush() {
      if (queued === '') return;
      const text = queued;
      queued = '';
      pending.delete(batch);
      destination.write(text);
    },
  };
  if (!flushOnExit) {
    flushOnExit = true;
    process.on('exit', () => {
      for (const waiting of pending) waiting.flush();
    });
  }
  return batch;
}
