import type { Command } from 'commander';
import type { Io } from '../runtime.ts';
import { registerResourcesApply } from './resources-apply.ts';
import { registerResourcesCreate } from './resources-create.ts';
import { registerResourcesDelete } from './resources-delete.ts';
import { registerResourcesList } from './resources-list.ts';
import { registerResourcesShow } from './resources-show.ts';
import { registerResourcesUpdate } from './resources-update.ts';

/** `portcullis resources ...`: registers the group's commands on `group`. */
export function registerResources(group: Command, io: Io): void {
  registerResourcesCreate(group, io);
  registerResourcesList(group, io);
  registerResourcesShow(group, io);
  registerResourcesUpdate(group, io);
  registerResourcesDelete(group, io);
  registerResourcesApply(group, io);
}
