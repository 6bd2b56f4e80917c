import type { SigningAlgorithm } from '@portcullis/auth-server';
import type { KeysService } from '@portcullis/auth-server/services';
import { readKeyEncryptionKey } from '../key-encryption-key.ts';
import { loadServices } from '../lazy.ts';
import { cliActor, type Io, withDatabase } from '../runtime.ts';
import type { KeysBackend } from './keys-backend.ts';

/**
 * The local back end of the `keys` commands: the keys service on the database. A rotation reads
 * the key-encryption key first, and the service proves it decrypts the stored keys before adding
 * one.
 *
 * @example
 * const { keys } = await localKeys(io).list();
 */
export function localKeys(io: Io): KeysBackend {
  const withService = async <T>(work: (service: KeysService) => Promise<T>) => {
    const { createKeysService } = await loadServices();
    return withDatabase(io, (db) => work(createKeysService(db)));
  };
  const common = async (algorithms: SigningAlgorithm[] | undefined) => ({
    keyEncryptionKey: await readKeyEncryptionKey(io, 'new keys are stored encrypted under it'),
    algorithms,
    actor: cliActor(io),
  });
  return {
    list: () => withService((s) => s.list()),
    async rotate({ algorithms, propagationSeconds }) {
      const options = { ...(await common(algorithms)), propagationSeconds };
      return withService((s) => s.rotate(options));
    },
    async rotateNow({ algorithms, revokeOld }) {
      const options = { ...(await common(algorithms)), revokeOld };
      return withService((s) => s.rotateNow(options));
    },
  };
}
