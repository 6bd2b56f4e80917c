import type { Command } from 'commander';
import type { Io } from '../runtime.ts';
import { registerAdminCreateClient } from './admin-create-client.ts';

/** `portcullis admin ...`: registers the group's commands on `group`. */
export function registerAdmin(group: Command, io: Io): void {
  registerAdminCreateClient(group, io);
}
