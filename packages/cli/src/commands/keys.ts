import type { Command } from 'commander';
import type { Io } from '../runtime.ts';
import { registerKeysList } from './keys-list.ts';
import { registerKeysRotate } from './keys-rotate.ts';

/** `portcullis keys ...`: registers the group's commands on `group`. */
export function registerKeys(group: Command, io: Io): void {
  registerKeysList(group, io);
  registerKeysRotate(group, io);
}
