import type { Command } from 'commander';
import { localOnly } from '../remote/local-only.ts';
import type { Io } from '../runtime.ts';
import { registerSecretsGenerate } from './secrets-generate.ts';

/** `portcullis secrets ...`: registers the group's commands on `group`. */
export function registerSecrets(group: Command, io: Io): void {
  // No operation of the admin API does what these do.
  localOnly(group, 'it only prints new secrets, on no server: run it without --server');
  registerSecretsGenerate(group, io);
}
