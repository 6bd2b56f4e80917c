import type { Command } from 'commander';
import type { Io } from '../runtime.ts';
import { registerDbMigrate } from './db-migrate.ts';
import { registerDbRemoveEmbedded } from './db-remove-embedded.ts';
import { registerDbStatus } from './db-status.ts';

/** `portcullis db ...`: registers the group's commands on `group`. */
export function registerDb(group: Command, io: Io): void {
  registerDbMigrate(group, io);
  registerDbStatus(group, io);
  registerDbRemoveEmbedded(group, io);
}
