import type { Command } from 'commander';
import type { Io } from '../runtime.ts';
import { registerAuditList } from './audit-list.ts';
import { registerAuditTail } from './audit-tail.ts';

/** `portcullis audit ...`: registers the group's commands on `group`. */
export function registerAudit(group: Command, io: Io): void {
  registerAuditList(group, io);
  registerAuditTail(group, io);
}
