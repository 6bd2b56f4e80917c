import type { Command } from 'commander';
import type { Io } from '../runtime.ts';
import { registerSecretsGenerate } from './secrets-generate.ts';

/** `portcullis secrets ...`: registers the group's commands on `group`. */
export function registerSecrets(group: Command, io: Io): void {
  registerSecretsGenerate(group, io);
}
