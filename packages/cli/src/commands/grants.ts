import type { Command } from 'commander';
import type { Io } from '../runtime.ts';
import { registerGrantsList } from './grants-list.ts';
import { registerGrantsRevoke } from './grants-revoke.ts';

/** `portcullis grants ...`: registers the group's commands on `group`. */
export function registerGrants(group: Command, io: Io): void {
  registerGrantsList(group, io);
  registerGrantsRevoke(group, io);
}
