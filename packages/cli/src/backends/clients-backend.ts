import type {
  ClientSecretInfo,
  CreateClientInput,
  CreatedClient,
  RemovedSecret,
  RotatedSecret,
  SecretSummary,
  UpdateClientInput,
  UpdatedClient,
} from '@portcullis/auth-server/services';
import type { ClientRecord } from '@portcullis/storage';

/**
 * What the `clients` commands do, as one interface with two back ends: the clients service on
 * the database (local mode) or the admin API (`--server`, remote mode). The commands print the
 * same output from either, so that both modes run the same tests.
 */
export interface ClientsBackend {
  list(): Promise<ClientRecord[]>;
  show(idOrName: string): Promise<{ client: ClientRecord; secrets: SecretSummary[] }>;
  create(input: CreateClientInput): Promise<CreatedClient>;
  update(idOrName: string, input: UpdateClientInput): Promise<UpdatedClient>;
  disable(idOrName: string): Promise<ClientRecord>;
  enable(idOrName: string): Promise<ClientRecord>;
  delete(idOrName: string): Promise<ClientRecord>;
  rotateSecret(
    idOrName: string,
    options: { keepOld: string; name?: string },
  ): Promise<RotatedSecret>;
  /** One secret and what removing it would stop, for the confirmation of `remove-secret`. */
  secret(idOrName: string, name: string): Promise<ClientSecretInfo>;
  removeSecret(idOrName: string, secret: { name: string; id?: string }): Promise<RemovedSecret>;
}
