import type { Command } from 'commander';
import { localOnly } from '../remote/local-only.ts';
import type { Io } from '../runtime.ts';
import { registerRolesCreate } from './roles-create.ts';
import { registerRolesDelete } from './roles-delete.ts';
import { registerRolesList } from './roles-list.ts';
import { registerRolesShow } from './roles-show.ts';

/** `portcullis roles ...`: registers the group's commands on `group`. */
export function registerRoles(group: Command, io: Io): void {
  // No operation of the admin API does what these do.
  localOnly(group);
  registerRolesCreate(group, io);
  registerRolesList(group, io);
  registerRolesShow(group, io);
  registerRolesDelete(group, io);
}
