import type { SigningKeySummary } from '@portcullis/auth-server';
import { keyJson } from '@portcullis/auth-server/config';
import type { Command } from 'commander';
import { keysBackend } from '../backends/select-keys.ts';
import { roughly } from '../format/keys.ts';
import { printJson, printTable, styled } from '../output.ts';
import type { Io } from '../runtime.ts';

/** What happens next to a key, relative to `now`. */
function schedule(key: SigningKeySummary, now: Date): string {
  const until = (at: Date) => {
    const seconds = (at.getTime() - now.getTime()) / 1000;
    return seconds > 0 ? `in ${roughly(seconds)}` : 'due now';
  };
  if (key.state === 'next' && key.activatesAt) {
    return `signs from ${key.activatesAt.toISOString()} (${until(key.activatesAt)})`;
  }
  if (key.state === 'retired' && key.removesAt) {
    return `published until ${key.removesAt.toISOString()} (${until(key.removesAt)})`;
  }
  return key.state === 'active' ? 'signing' : '-';
}

/** `portcullis keys list`. */
export function registerKeysList(keys: Command, io: Io): void {
  keys
    .command('list')
    .description(
      'list the signing keys: the next key, the active one, retired ones still published',
    )
    .option('--json', 'machine-readable output')
    .addHelpText('after', '\nExample:\n  $ portcullis keys list')
    .action(async (options: { json?: boolean }) => {
      const { keys: list, now } = await (await keysBackend(io)).list();
      // Per algorithm, newest first: next, active, retired.
      const sorted = [...list].sort(
        (a, b) => a.alg.localeCompare(b.alg) || b.createdAt.getTime() - a.createdAt.getTime(),
      );
      if (options.json) return printJson(io, sorted.map(keyJson));
      printTable(
        io,
        ['KID', 'ALG', 'STATE', 'AGE', 'SCHEDULE'],
        sorted.map((key) => [
          key.kid,
          key.alg,
          key.state === 'retired' ? styled(key.state, 'dim') : key.state,
          roughly(key.ageSeconds),
          schedule(key, now),
        ]),
      );
    });
}
