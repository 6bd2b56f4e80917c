import {
  createClientsRepository,
  createResourcesRepository,
  type Database,
} from '@portcullis/storage';
import { clientCrudOperations } from './clients/client-crud.ts';
import { clientSecretsOperations } from './clients/client-secrets.ts';

export { DEVICE_CODE_GRANT, SUPPORTED_GRANTS, shortGrant } from '../domain/grants.ts';
export type { ChangeOptions } from './change-options.ts';
export {
  CLIENT_FIELD_NAMES,
  type CreateClientInput,
  type CreatedClient,
  type UpdateClientInput,
  type UpdatedClient,
} from './clients/client-crud.ts';
export {
  type ClientSecretInfo,
  DEFAULT_SECRET_OVERLAP_SECONDS,
  type RemovedSecret,
  type RotatedSecret,
  type SecretSummary,
} from './clients/client-secrets.ts';
export {
  CLIENT_TTL_LIMITS,
  type TtlInput,
  validateClientTtl,
} from './clients/client-validation.ts';
export { fromStorage } from './from-storage.ts';

/**
 * Client registration and administration for the CLI. Create and update share one validation
 * (`clients/client-validation.ts`), which runs before any write; each write is one transaction
 * together with its audit events, so bad input never leaves a partial change behind, and running
 * servers see the change within a second (LISTEN/NOTIFY). Registration lives in
 * `clients/client-crud.ts`, secrets in `clients/client-secrets.ts`.
 *
 * @example
 * const service = createClientsService(db);
 * const { client, clientSecret } = await service.create(
 *   { name: 'billing', grants: ['client_credentials'], resources: [api], accessTokenTtl: '5m' },
 *   { actor: 'cli:alice' },
 * );
 */
export function createClientsService(db: Database) {
  const clients = createClientsRepository(db);
  const resources = createResourcesRepository(db);
  return {
    ...clientCrudOperations(clients, resources),
    ...clientSecretsOperations(clients),
  };
}

/** The service {@link createClientsService} returns. */
export type ClientsService = ReturnType<typeof createClientsService>;
