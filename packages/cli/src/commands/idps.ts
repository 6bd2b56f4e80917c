import type { Command } from 'commander';
import { localOnly } from '../remote/local-only.ts';
import type { Io } from '../runtime.ts';
import { registerIdpsCreate } from './idps-create.ts';
import { registerIdpsDelete } from './idps-delete.ts';
import { registerIdpsList } from './idps-list.ts';
import { registerIdpsShow } from './idps-show.ts';
import { registerIdpsUpdate } from './idps-update.ts';

/** `portcullis idps ...`: registers the group's commands on `group`. */
export function registerIdps(group: Command, io: Io): void {
  // No operation of the admin API does what these do.
  localOnly(group);
  registerIdpsCreate(group, io);
  registerIdpsList(group, io);
  registerIdpsShow(group, io);
  registerIdpsUpdate(group, io);
  registerIdpsDelete(group, io);
}
