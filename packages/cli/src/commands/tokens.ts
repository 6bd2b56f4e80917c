import type { Command } from 'commander';
import type { Io } from '../runtime.ts';
import { registerTokensIssue } from './tokens-issue.ts';
import { registerTokensList } from './tokens-list.ts';
import { registerTokensPurge } from './tokens-purge.ts';
import { registerTokensRevoke } from './tokens-revoke.ts';

/** `portcullis tokens ...`: registers the group's commands on `group`. */
export function registerTokens(group: Command, io: Io): void {
  registerTokensList(group, io);
  registerTokensIssue(group, io);
  registerTokensRevoke(group, io);
  registerTokensPurge(group, io);
}
