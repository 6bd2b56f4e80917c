import type { Command } from 'commander';
import type { Io } from '../runtime.ts';
import { registerUsersCreate } from './users-create.ts';
import { registerUsersDelete } from './users-delete.ts';
import { registerUsersDisable } from './users-disable.ts';
import { registerUsersEnable } from './users-enable.ts';
import { registerUsersInvite } from './users-invite.ts';
import { registerUsersList } from './users-list.ts';
import { registerUsersMfa } from './users-mfa.ts';
import { registerUsersRole } from './users-role.ts';
import { registerUsersSetPassword } from './users-set-password.ts';
import { registerUsersShow } from './users-show.ts';
import { registerUsersUnlock } from './users-unlock.ts';
import { registerUsersUpdate } from './users-update.ts';

/** `portcullis users ...`: registers the group's commands on `group`. */
export function registerUsers(group: Command, io: Io): void {
  registerUsersCreate(group, io);
  registerUsersList(group, io);
  registerUsersShow(group, io);
  registerUsersUpdate(group, io);
  registerUsersInvite(group, io);
  registerUsersSetPassword(group, io);
  registerUsersDisable(group, io);
  registerUsersEnable(group, io);
  registerUsersUnlock(group, io);
  registerUsersRole(group, io);
  registerUsersMfa(group, io);
  registerUsersDelete(group, io);
}
