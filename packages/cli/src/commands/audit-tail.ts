import { setTimeout as sleep } from 'node:timers/promises';
import type { AuditEventRecord } from '@portcullis/storage';
import type { Command } from 'commander';
import { parseEventType } from '../audit-filters.ts';
import type { AuditTrail } from '../backends/audit-backend.ts';
import { auditBackend } from '../backends/select-audit.ts';
import { describeError } from '../errors.ts';
import { eventCells, eventJson } from '../format/audit.ts';
import { printJsonLine, warn } from '../output.ts';
import type { Io } from '../runtime.ts';
import { handleSignals } from '../stack.ts';

interface Options {
  type?: string;
  client?: string;
  json?: boolean;
}

const POLL_MS = 1000;
const BATCH = 500;
// An event id is drawn when its transaction inserts the row, and the row shows only at commit,
// so a lower id can appear after a higher one. A missing id is waited for this long (a rolled
// back insert leaves a hole for good).
const HOLE_PATIENCE_MS = 10_000;

/**
 * `portcullis audit tail`: prints events as they are recorded, one per line, until SIGINT or
 * SIGTERM (exit 0). It polls every second (the database, or the admin API with `--server`) and
 * never misses an event committed late.
 */
export function registerAuditTail(audit: Command, io: Io): void {
  audit
    .command('tail')
    .description('print security events as they are recorded, until interrupted (Ctrl-C)')
    .option('--type <type>', 'only events of this type, e.g. refresh_token.reuse_detected')
    .option('--client <client-id>', 'only events about this client')
    .option('--json', 'one JSON object per line')
    .addHelpText(
      'after',
      `
Runs until Ctrl-C (SIGINT) or SIGTERM, then exits 0; a closed pipe ends it too.

Example:
  $ portcullis audit tail --type signin.failed --json`,
    )
    .action(async (options: Options) => {
      const type = options.type !== undefined ? await parseEventType(options.type) : undefined;
      const matches = (event: AuditEventRecord) =>
        (type === undefined || event.type === type) &&
        (options.client === undefined || event.clientId === options.client);
      const print = (event: AuditEventRecord) =>
        options.json
          ? printJsonLine(io, eventJson(event))
          : io.stdout.write(`${eventCells(event).join('  ')}\n`);

      const { stopped } = handleSignals(io, []);
      const stop = new AbortController();
      void stopped.then(() => stop.abort());
      // A closed pipe (`audit tail | head`) ends the tail like a signal would.
      io.stdout.once('error', () => stop.abort());

      const backend = await auditBackend(io);
      await backend.read(async (events) => {
        const follower = createFollower(
          events,
          BigInt((await events.list({ limit: 1 }))[0]?.id ?? 0),
        );
        io.stderr.write(
          `following the audit trail after event ${follower.position()}; stop with Ctrl-C\n`,
        );
        let failing = false;
        while (!stop.signal.aborted) {
          try {
            for (const event of await follower.poll(Date.now())) {
              if (matches(event)) print(event);
            }
            if (failing) io.stderr.write(`${backend.source} answers again\n`);
            failing = false;
          } catch (error) {
            if (!failing) warn(io, `${describeError(error)}; retrying`);
            failing = true;
          }
          await sleep(POLL_MS, undefined, { signal: stop.signal }).catch(() => {});
        }
      });
    });
}

/**
 * Follows the trail from the event id `start`: every event after it is returned once, including
 * one whose id was passed over because its transaction committed late.
 */
function createFollower(events: AuditTrail, start: bigint) {
  // Every id up to `settled` was returned or given up as a hole; `returned` holds the ids above.
  let settled = start;
  const returned = new Set<bigint>();
  // Since when the id right after `settled` has been missing while later ones were there.
  let holeSince: number | undefined;

  return {
    position: () => String(settled),

    async poll(now: number): Promise<AuditEventRecord[]> {
      const fresh: AuditEventRecord[] = [];
      let after = String(settled);
      for (;;) {
        const batch = await events.list({ afterId: after, limit: BATCH });
        for (const event of batch) {
          const id = BigInt(event.id);
          if (returned.has(id)) continue;
          returned.add(id);
          fresh.push(event);
        }
        if (batch.length < BATCH) break;
        after = (batch.at(-1) as AuditEventRecord).id;
      }
      // Move past what was returned; past a hole only once it has been open long enough.
      for (;;) {
        if (returned.delete(settled + 1n)) {
          settled += 1n;
          holeSince = undefined;
          continue;
        }
        if (returned.size === 0) break;
        holeSince ??= now;
        if (now - holeSince < HOLE_PATIENCE_MS) break;
        settled = lowest(returned) - 1n;
        holeSince = undefined;
      }
      return fresh;
    },
  };
}

function lowest(ids: Set<bigint>): bigint {
  let low: bigint | undefined;
  for (const id of ids) if (low === undefined || id < low) low = id;
  return low as bigint;
}
