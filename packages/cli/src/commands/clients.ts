import type { Command } from 'commander';
import { localOnly } from '../remote/local-only.ts';
import type { Io } from '../runtime.ts';
import { registerClientsCreate } from './clients-create.ts';
import { registerClientsDelete } from './clients-delete.ts';
import { registerClientsDisable } from './clients-disable.ts';
import { registerClientsEnable } from './clients-enable.ts';
import { registerClientsList } from './clients-list.ts';
import { registerRegistrationTokenCreate } from './clients-registration-token-create.ts';
import { registerRegistrationTokenList } from './clients-registration-token-list.ts';
import { registerRegistrationTokenRevoke } from './clients-registration-token-revoke.ts';
import { registerClientsRemoveSecret } from './clients-remove-secret.ts';
import { registerClientsRotateSecret } from './clients-rotate-secret.ts';
import { registerClientsSecrets } from './clients-secrets.ts';
import { registerClientsShow } from './clients-show.ts';
import { registerClientsUpdate } from './clients-update.ts';

/** `portcullis clients ...`: registers the group's commands on `group`. */
export function registerClients(group: Command, io: Io): void {
  registerClientsCreate(group, io);
  registerClientsList(group, io);
  registerClientsShow(group, io);
  registerClientsUpdate(group, io);
  registerClientsRotateSecret(group, io);
  registerClientsSecrets(group, io);
  registerClientsRemoveSecret(group, io);
  registerClientsDisable(group, io);
  registerClientsEnable(group, io);
  registerClientsDelete(group, io);
  // The admin API has no operations for initial access tokens.
  const tokens = localOnly(group.command('registration-token')).description(
    'initial access tokens for dynamic client registration (RFC 7591)',
  );
  registerRegistrationTokenCreate(tokens, io);
  registerRegistrationTokenList(tokens, io);
  registerRegistrationTokenRevoke(tokens, io);
}
