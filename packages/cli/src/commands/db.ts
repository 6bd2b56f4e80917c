import type { Command } from 'commander';
import { localOnly } from '../remote/local-only.ts';
import type { Io } from '../runtime.ts';
import { registerDbMigrate } from './db-migrate.ts';
import { registerDbRemoveEmbedded } from './db-remove-embedded.ts';
import { registerDbStatus } from './db-status.ts';

/** `portcullis db ...`: registers the group's commands on `group`. */
export function registerDb(group: Command, io: Io): void {
  // No operation of the admin API does what these do.
  localOnly(group);
  registerDbMigrate(group, io);
  registerDbStatus(group, io);
  registerDbRemoveEmbedded(group, io);
}
