import type { Command } from 'commander';
import { localOnly } from '../remote/local-only.ts';
import type { Io } from '../runtime.ts';
import { registerAdminCreateClient } from './admin-create-client.ts';

/** `portcullis admin ...`: registers the group's commands on `group`. */
export function registerAdmin(group: Command, io: Io): void {
  // No operation of the admin API does what these do.
  localOnly(group, 'the first admin client comes from the database: run it where the database is');
  registerAdminCreateClient(group, io);
}
