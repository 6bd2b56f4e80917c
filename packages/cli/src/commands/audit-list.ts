import type { Command } from 'commander';
import { parseEventType, parseLimit, parseSince } from '../audit-filters.ts';
import { auditBackend } from '../backends/select-audit.ts';
import { EVENT_HEADERS, eventCells, eventJson } from '../format/audit.ts';
import { printJson, printTable, warn } from '../output.ts';
import type { Io } from '../runtime.ts';

interface Options {
  since?: string;
  type?: string;
  client?: string;
  limit?: string;
  json?: boolean;
}

/** `portcullis audit list`: the latest security events, oldest first, filtered. */
export function registerAuditList(audit: Command, io: Io): void {
  audit
    .command('list')
    .description('list security events (the latest ones, oldest first), optionally filtered')
    .option('--since <when>', 'only events since a duration ago (30m, 1h, 7d) or an ISO time')
    .option('--type <type>', 'only events of this type, e.g. signin.failed')
    .option('--client <client-id>', 'only events about this client')
    .option('--limit <n>', 'at most this many events, the latest (1 to 10000)', '100')
    .option('--json', 'machine-readable output')
    .addHelpText('after', '\nExample:\n  $ portcullis audit list --since 24h --type signin.failed')
    .action(async (options: Options) => {
      const query = {
        ...(options.since !== undefined ? { since: parseSince(options.since, new Date()) } : {}),
        ...(options.type !== undefined ? { type: await parseEventType(options.type) } : {}),
        ...(options.client !== undefined ? { clientId: options.client } : {}),
        limit: parseLimit(options.limit ?? '100'),
      };
      // One more than asked, to know whether the list was cut; the oldest one is dropped.
      const fetched = await (await auditBackend(io)).read((trail) =>
        trail.list({ ...query, limit: query.limit + 1 }),
      );
      const events = fetched.slice(-query.limit);
      if (options.json) return printJson(io, events.map(eventJson));
      printTable(io, EVENT_HEADERS, events.map(eventCells));
      if (fetched.length > query.limit) {
        warn(
          io,
          `showing only the latest ${query.limit} events: narrow with --since or --type, or raise --limit`,
        );
      }
    });
}
